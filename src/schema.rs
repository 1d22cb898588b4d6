//! The shape of the blueprint language: which blocks exist where, how many labels they take, and
//! which attributes they accept. The JSON reader needs it to tell blocks from attributes (Terraform's
//! JSON convention is schema-driven), and lowering uses it for "unknown attribute, did you mean".
//! What each attribute means, its type and its default live in `lower/`.

#[derive(Debug)]
pub struct BlockSchema {
    pub name: &'static str,
    /// Number of labels (names) the block takes.
    pub labels: usize,
    pub attributes: &'static [&'static str],
    pub blocks: &'static [BlockSchema],
}

impl BlockSchema {
    pub fn block(&self, name: &str) -> Option<&'static BlockSchema> {
        self.blocks.iter().find(|b| b.name == name)
    }
}

pub const PLATFORM: BlockSchema = BlockSchema {
    name: "platform",
    labels: 1,
    attributes: &[
        "environment",
        "region",
        "account_id",
        "aws_provider",
        "awscc",
        "awscc_provider",
        "tags",
        "cost_allocation_tags",
        "account",
    ],
    blocks: &[STATE],
};

/// `platform { state { } }`: the remote state backend the stacks share (S3, native lock files).
pub const STATE: BlockSchema = BlockSchema {
    name: "state",
    labels: 0,
    attributes: &["bucket", "region", "key_prefix"],
    blocks: &[],
};

/// `account "NAME" { }`: an AWS account the platform's components can be placed in.
pub const ACCOUNT: BlockSchema = BlockSchema {
    name: "account",
    labels: 1,
    attributes: &["id", "role", "organization_unit"],
    blocks: &[],
};

pub const SEGMENT: BlockSchema = BlockSchema {
    name: "segment",
    labels: 1,
    attributes: &["connects_to", "isolated", "internet", "allowed_domains"],
    blocks: &[],
};

pub const ROUTE: BlockSchema = BlockSchema {
    name: "route",
    labels: 1,
    attributes: &["segment", "destination", "target", "blackhole"],
    blocks: &[],
};

pub const TRANSIT_GATEWAY: BlockSchema = BlockSchema {
    name: "transit_gateway",
    labels: 1,
    attributes: &[
        "amazon_side_asn",
        "description",
        "derive_blackholes",
        "account",
        "share_with",
    ],
    blocks: &[SEGMENT, ROUTE],
};

pub const VPC: BlockSchema = BlockSchema {
    name: "vpc",
    labels: 1,
    attributes: &[
        "cidr",
        "azs",
        "subnets",
        "segment",
        "tenant",
        "transit_gateway",
        "flow_log_retention_days",
        "transit_gateway_routes",
        "forwards",
        "attachment_subnets",
        "endpoints",
        "image_pulls",
        "account",
    ],
    blocks: &[INTERNET_EGRESS, FIREWALL],
};

pub const INTERNET_EGRESS: BlockSchema = BlockSchema {
    name: "internet_egress",
    labels: 0,
    attributes: &["public_subnets"],
    blocks: &[],
};

pub const FIREWALL: BlockSchema = BlockSchema {
    name: "firewall",
    labels: 0,
    attributes: &["subnets", "allowed_domains", "log_retention_days"],
    blocks: &[],
};

pub const INTERCONNECT: BlockSchema = BlockSchema {
    name: "interconnect",
    labels: 1,
    attributes: &[
        "segment",
        "partner",
        "bandwidth",
        "remote_cidrs",
        "dx_gateway_asn",
        "transit_gateway",
        "environment_id",
        "account",
    ],
    blocks: &[],
};

pub const ALLOW: BlockSchema = BlockSchema {
    name: "allow",
    labels: 1,
    attributes: &["actions", "on"],
    blocks: &[],
};

const fn trust(name: &'static str, attributes: &'static [&'static str]) -> BlockSchema {
    BlockSchema {
        name,
        labels: 0,
        attributes,
        blocks: &[],
    }
}

pub const IAM_ROLE: BlockSchema = BlockSchema {
    name: "iam_role",
    labels: 1,
    attributes: &[
        "description",
        "max_session_seconds",
        "aws_mcp_server",
        "runs_in",
        "account",
    ],
    blocks: &[
        trust(
            "irsa",
            &["oidc_provider_arn", "namespace", "service_account"],
        ),
        trust("pod_identity", &["cluster", "namespace", "service_account"]),
        trust(
            "roles_anywhere",
            &["trust_anchor_arn", "acm_pca_arn", "common_name"],
        ),
        trust("service", &["principal"]),
        trust("principals", &["arns"]),
        ALLOW,
    ],
};

pub const MCP_INGRESS: BlockSchema = BlockSchema {
    name: "mcp_ingress",
    labels: 1,
    attributes: &[
        "vpc",
        "port",
        "certificate_arn",
        "client_auth",
        "trust_store_bundle",
        "allowed_principals",
        "consumers",
        "acceptance_required",
        "private_dns_name",
        "private_dns_verified",
        "rate_limit",
        "context_fetch_role",
        "context_modify_role",
        "backend_port",
        "health_check_path",
        "log_retention_days",
        "account",
    ],
    blocks: &[],
};

pub const ACCESS_POINT: BlockSchema = BlockSchema {
    name: "access_point",
    labels: 1,
    attributes: &["uid", "gid", "root_directory", "permissions", "roles"],
    blocks: &[],
};

pub const S3_FILES: BlockSchema = BlockSchema {
    name: "s3_files",
    labels: 1,
    attributes: &["bucket", "vpc", "expire_after_days", "account"],
    blocks: &[ACCESS_POINT],
};

const fn unlabelled(
    name: &'static str,
    attributes: &'static [&'static str],
    blocks: &'static [BlockSchema],
) -> BlockSchema {
    BlockSchema {
        name,
        labels: 0,
        attributes,
        blocks,
    }
}

pub const CONNECTOR: BlockSchema = BlockSchema {
    name: "connector",
    labels: 1,
    attributes: &[
        "provider",
        "credential_secret_arn",
        "api_key_id",
        "app_id",
        "authorization_id",
        "marketplace_subscribed",
    ],
    blocks: &[],
};

pub const JWT: BlockSchema = unlabelled(
    "jwt",
    &["discovery_url", "allowed_audience", "allowed_clients"],
    &[],
);

pub const BURST: BlockSchema = unlabelled("burst", &["window_minutes", "max_payments"], &[]);

pub const GUARDRAILS: BlockSchema = unlabelled(
    "guardrails",
    &[
        "currency",
        "daily_limit",
        "session_limit",
        "payment_limit",
        "max_payments_per_day",
        "session_expiry_minutes",
        "alert_at_percent",
        "allowed_merchants",
        "deny_phases",
    ],
    &[BURST],
);

pub const LEDGER: BlockSchema = unlabelled("ledger", &["retention_days"], &[]);

pub const PAYMENT_MANAGER: BlockSchema = BlockSchema {
    name: "payment_manager",
    labels: 1,
    attributes: &[
        "authorizer",
        "agents",
        "admin_principals",
        "session_principals",
        "payment_principals",
        "mediation_principals",
        "account",
    ],
    blocks: &[JWT, CONNECTOR, GUARDRAILS, LEDGER],
};

pub const AUDIT_TRAIL: BlockSchema = BlockSchema {
    name: "audit_trail",
    labels: 1,
    attributes: &[
        "trail",
        "organization_trail_arn",
        "retention_days",
        "account",
    ],
    blocks: &[],
};

/// The top level of a blueprint file.
pub const ROOT: BlockSchema = BlockSchema {
    name: "",
    labels: 0,
    attributes: &[],
    blocks: &[
        PLATFORM,
        ACCOUNT,
        TRANSIT_GATEWAY,
        VPC,
        INTERCONNECT,
        MCP_INGRESS,
        S3_FILES,
        IAM_ROLE,
        PAYMENT_MANAGER,
        AUDIT_TRAIL,
    ],
};
