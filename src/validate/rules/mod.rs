//! One rule per file; each is registered in `validate::RULES`.

pub mod accounts;
pub mod asns;
pub mod egress;
pub mod endpoints;
pub mod identity;
pub mod ingress;
pub mod overlap;
pub mod payments;
pub mod routes;
pub mod segregation;
pub mod storage;
pub mod subnets;
pub mod tgw_quota;
pub mod targets;
pub mod unused;
pub mod vpc_routes;
pub mod zones;
