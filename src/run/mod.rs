//! Running a batch: what sits above the stages. Takes the command line's
//! inputs and settings; hands on JSONL lines to the output. A scan
//! ([`scan`]) discovers the inputs and reads them in worker processes under
//! supervision ([`worker`]: time and memory limits, crashes, page splits);
//! clean stops on signals ([`stop`]), shares of the inputs for cluster job
//! arrays ([`shard`]) and their joining into one file ([`merge`]), one
//! writer per output file ([`lock`]) and what an operator watches
//! ([`progress`]).

pub mod lock;
pub mod merge;
pub mod progress;
pub mod scan;
pub mod shard;
pub mod stop;
pub mod worker;
