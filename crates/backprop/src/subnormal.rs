//! Subnormal floats flushed to zero while training.
//!
//! Arithmetic on subnormal floats (nonzero, below 2⁻¹²⁶ in f32, 2⁻¹⁰²² in
//! f64) takes a slow microcode path on x86 CPUs, tens of times slower than on
//! normal ones; weight decay (L2) walks the weights of inputs without signal
//! down through that range, and an f32 run with it became 7× slower. While a
//! [`Flushing`] lives, the thread flushes subnormal results to zero and reads
//! subnormal inputs as zero (x86_64's MXCSR FTZ and DAZ bits); the product
//! pool's workers take the mode of the thread whose product they share
//! ([`current`], [`set`]). Numbers that never reach the subnormal range are
//! unchanged to the bit. Elsewhere than x86_64 it is a no-op.

/// The flush-to-zero and denormals-are-zero bits of a thread's float mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mode(u32);

/// MXCSR's flush-to-zero (bit 15) and denormals-are-zero (bit 6).
const FLUSH: u32 = (1 << 15) | (1 << 6);

#[cfg(target_arch = "x86_64")]
fn read_csr() -> u32 {
    let mut csr: u32 = 0;
    // SAFETY: stmxcsr stores the thread's SSE control register (always
    // present on x86_64) into the 4 bytes of `csr`, and touches nothing else.
    unsafe {
        std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags));
    }
    csr
}

#[cfg(target_arch = "x86_64")]
fn write_csr(csr: u32) {
    // SAFETY: ldmxcsr loads a value read by `read_csr` with only the FTZ and
    // DAZ bits changed, both valid on every x86_64 CPU; it changes only how
    // this thread rounds subnormal floats.
    unsafe {
        std::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, readonly, preserves_flags));
    }
}

/// This thread's mode.
pub(crate) fn current() -> Mode {
    #[cfg(target_arch = "x86_64")]
    {
        Mode(read_csr() & FLUSH)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        Mode(0)
    }
}

/// Puts this thread in `mode` (a no-op where it is already, and off x86_64).
pub(crate) fn set(mode: Mode) {
    #[cfg(target_arch = "x86_64")]
    {
        let csr = read_csr();
        let wanted = (csr & !FLUSH) | (mode.0 & FLUSH);
        if wanted != csr {
            write_csr(wanted);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = mode;
}

/// Subnormal floats flushed to zero on this thread until dropped; then the
/// thread's mode as it was (a Python thread or a caller's own code sees no change).
pub(crate) struct Flushing(Mode);

impl Flushing {
    /// Starts flushing on this thread.
    pub(crate) fn start() -> Flushing {
        let was = current();
        set(Mode(FLUSH));
        Flushing(was)
    }
}

impl Drop for Flushing {
    fn drop(&mut self) {
        set(self.0);
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use std::hint::black_box;

    /// Half the smallest normal f32: subnormal, unless flushed to zero.
    fn half_smallest() -> f32 {
        black_box(f32::MIN_POSITIVE) * black_box(0.5)
    }

    #[test]
    fn subnormals_are_flushed_while_flushing_and_only_then() {
        let before = current();
        assert!(half_smallest().is_subnormal());
        {
            let _flushing = Flushing::start();
            assert_eq!(half_smallest(), 0.0);
            // A subnormal input reads as zero.
            let tiny = black_box(f64::from_bits(1));
            assert_eq!(tiny * black_box(2.0), 0.0);
        }
        assert_eq!(current(), before);
        assert!(half_smallest().is_subnormal());
    }
}
