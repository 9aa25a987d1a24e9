//! Running a batch: what sits above the stages. Clean stops on signals
//! ([`stop`]), shares of the inputs for cluster job arrays ([`shard`]), one
//! writer per output file ([`lock`]) and what an operator watches
//! ([`progress`]). The worker processes and their supervision are in
//! [`crate::worker`].

pub mod lock;
pub mod progress;
pub mod scan;
pub mod shard;
pub mod stop;
