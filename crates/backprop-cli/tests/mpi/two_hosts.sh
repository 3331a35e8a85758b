#!/usr/bin/env bash
# Two "hosts" on this machine: two network namespaces joined by a veth pair
# (addresses inside those namespaces only), each with its own hostname
# (unshare --uts, so OpenMPI's shared-memory segments do not collide), and a
# stand-in for ssh (plm_rsh_agent) that enters the other namespace.
#
#   two_hosts.sh BACKPROP_BINARY ARGS...   runs `mpirun -np 2 BINARY ARGS...`, one rank per host.
# Needs root (ip netns) and OpenMPI. Cleans up after itself.
set -euo pipefail
bin=$1; shift
tag=bp$$
nsA=${tag}a; nsB=${tag}b
net=10.213.$(( $$ % 200 + 20 ))
work=$(mktemp -d)
cleanup() { ip netns del "$nsA" 2>/dev/null || true; ip netns del "$nsB" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

ip netns add "$nsA"
ip netns add "$nsB"
ip link add "${tag}va" type veth peer name "${tag}vb"
ip link set "${tag}va" netns "$nsA"
ip link set "${tag}vb" netns "$nsB"
ip netns exec "$nsA" ip addr add "$net.1/24" dev "${tag}va"
ip netns exec "$nsB" ip addr add "$net.2/24" dev "${tag}vb"
for ns in "$nsA" "$nsB"; do ip netns exec "$ns" ip link set lo up; done
ip netns exec "$nsA" ip link set "${tag}va" up
ip netns exec "$nsB" ip link set "${tag}vb" up

cat > "$work/agent" <<AGENT
#!/usr/bin/env bash
# ssh stand-in: agent HOST COMMAND... runs COMMAND in HOST's namespace under its own hostname.
host=\$1; shift
case "\$host" in
  $net.1) ns=$nsA ;;
  $net.2) ns=$nsB ;;
  *) echo "agent: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec "\$ns" unshare --uts sh -c "hostname \$ns; exec \$*"
AGENT
chmod +x "$work/agent"
printf '%s slots=1\n%s slots=1\n' "$net.1" "$net.2" > "$work/hosts"

ip netns exec "$nsA" unshare --uts sh -c "hostname $nsA; exec mpirun --allow-run-as-root --bind-to none \
  --mca plm_rsh_agent $work/agent --mca btl tcp,self \
  --mca btl_tcp_if_include $net.0/24 --mca oob_tcp_if_include $net.0/24 \
  --hostfile $work/hosts -np 2 $bin $*"
