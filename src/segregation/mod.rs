//! Route segregation, proven before `terraform plan`: what every transit gateway route table
//! actually does with every address (the effective-route [`engine`]), who can therefore hold a
//! conversation with whom ([`reach`]), all from route tables given as data ([`topology`]) so that
//! the blueprint's tables and tables read from deployed state are judged by the same code.
//!
//! The rules that compare this with the blueprint's intent (leaks, gaps, asymmetric paths, shadowed
//! prefixes) live in `validate::rules::segregation`; `agentform reach` prints the matrices.

pub mod engine;
pub mod intent;
pub mod reach;
pub mod report;
pub mod topology;

pub use engine::{Delivery, Engine, Extent, Hop, Outcome, Path, Piece, Transit, Via, partition};
pub use intent::{DerivedBlackhole, Intent};
pub use reach::{Cell, InternetReach, PairReach, Reachability, Verdict};
pub use topology::{
    Attachment, AttachmentId, AttachmentKind, ModelTopology, RouteOrigin, RouteTable, StaticRoute,
    TableId, Topology,
};
