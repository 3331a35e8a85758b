//! The MPI transport of [`Collective`], for `mpirun -np N backprop train …`
//! (built with `--features mpi`). Without mpirun the same binary is one rank.

use backprop::collective::Collective;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

/// MPI_COMM_WORLD, kept with the universe that finalises MPI when dropped.
pub struct MpiRanks {
    world: SimpleCommunicator,
    _universe: mpi::environment::Universe,
}

impl MpiRanks {
    /// Initialises MPI; `None` when it cannot be.
    pub fn init() -> Option<MpiRanks> {
        let universe = mpi::initialize()?;
        Some(MpiRanks {
            world: universe.world(),
            _universe: universe,
        })
    }
}

impl Collective for MpiRanks {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    fn size(&self) -> usize {
        self.world.size() as usize
    }

    /// Gathers every rank's buffer on every rank and sums them in rank order,
    /// so all ranks get the same bits whatever algorithm MPI would choose.
    fn all_reduce_sum(&self, buf: &mut [f64]) {
        let n = buf.len();
        let mut all = vec![0.0f64; n * self.size()];
        self.world.all_gather_into(&buf[..], &mut all[..]);
        buf.fill(0.0);
        for part in all.chunks_exact(n.max(1)).take(self.size()) {
            for (b, v) in buf.iter_mut().zip(part) {
                *b += v;
            }
        }
    }

    fn broadcast(&self, buf: &mut [f64], root: usize) {
        self.world.process_at_rank(root as i32).broadcast_into(buf);
    }
}
