# Sourced by bench/run.sh and bench/peers.sh: need_venv DIR "IMPORTS" PACKAGE…
# makes the virtual environment DIR with the packages from PyPI unless its
# python already imports IMPORTS (a comma-separated list).
need_venv() {
  local dir=$1 imports=$2
  shift 2
  if ! "$dir/bin/python" -c "import $imports" 2>/dev/null; then
    echo "== setting up $dir ($*)" >&2
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --upgrade pip
    "$dir/bin/pip" install --quiet "$@"
  fi
}
