# The agent platform from the design notes: the network core (transit gateway segments, VPCs and
# the multicloud interconnect), the MCP ingress, the S3 Files workspace, workload identity and
# AgentCore payments with their spending guardrails.

platform "agents" {
  environment  = "prod"
  region       = "us-east-1"
  account_id   = "123456789012"
  aws_provider = "~> 6.69" # version constraint written into required_providers
  awscc        = true      # allow hashicorp/awscc for what hashicorp/aws cannot express
  tags = {
    cost_center = "ai-platform"
    owner       = "platform-team"
  }
}

transit_gateway "core" {
  amazon_side_asn = 64512
  segment "agents" {
    connects_to = ["shared", "multicloud"]
    internet    = true # through the egress VPC (route `default-egress`)
  }
  segment "shared" { connects_to = ["agents", "dev"] }
  segment "dev" { connects_to = ["shared"] }
  segment "multicloud" {}
  segment "tenants" {
    isolated    = true  # members may not reach each other
    internet    = false # any path to the internet is a leak
    connects_to = ["shared"]
  }
  route "default-egress" {
    segment     = "agents"
    destination = "0.0.0.0/0"
    target      = "vpc.egress" # an attachment: vpc.NAME or interconnect.NAME
  }
  route "never-reach-corp" {
    segment     = "dev"
    destination = "192.168.0.0/16"
    blackhole   = true
  }
}

vpc "agents" {
  cidr    = "10.10.0.0/16"
  azs     = ["us-east-1a", "us-east-1b"]
  subnets = ["10.10.0.0/24", "10.10.1.0/24"] # private subnets, one per AZ, in order
  segment = "agents"
}

vpc "egress" {
  cidr    = "10.20.0.0/16"
  azs     = ["us-east-1a", "us-east-1b"]
  subnets = ["10.20.0.0/24", "10.20.1.0/24"]
  segment = "shared"
  # The platform's way out: internet gateway, and per AZ a NAT gateway in a public subnet, a
  # Network Firewall endpoint and a transit gateway attachment subnet (/28s carved from the top
  # of the CIDR unless listed).
  internet_egress {}
  firewall {} # domain allow-lists per segment: the payment merchants, the AWS MCP Server, and
  #             each segment's `allowed_domains`
}

vpc "mcp" {
  cidr    = "10.30.0.0/16"
  azs     = ["us-east-1a", "us-east-1b"]
  subnets = ["10.30.0.0/24", "10.30.1.0/24"]
  segment = "shared"
}

vpc "dev" {
  cidr    = "10.40.0.0/16"
  azs     = ["us-east-1a", "us-east-1b"]
  subnets = ["10.40.0.0/24", "10.40.1.0/24"]
  segment = "dev"
}

vpc "tenant-a" {
  cidr    = "10.50.0.0/16"
  azs     = ["us-east-1a", "us-east-1b"]
  subnets = ["10.50.0.0/24", "10.50.1.0/24"]
  segment = "tenants"
  tenant  = "acme"
}

vpc "tenant-b" {
  cidr    = "10.60.0.0/16"
  azs     = ["us-east-1a", "us-east-1b"]
  subnets = ["10.60.0.0/24", "10.60.1.0/24"]
  segment = "tenants"
  tenant  = "globex"
}

interconnect "gcp" {
  segment        = "multicloud"
  partner        = "google_cloud" # google_cloud | oracle_cloud | azure
  bandwidth      = "1Gbps"
  remote_cidrs   = ["172.16.0.0/16"] # prefixes the partner cloud announces
  dx_gateway_asn = 64513
}

# The MCP service: reached from the agent and tenant VPCs through PrivateLink, never through the
# transit gateway. The MCP server validates OIDC bearer tokens; WAF rate-limits the ALB.
mcp_ingress "tools" {
  vpc                 = "mcp"
  port                = 443
  certificate_arn     = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc"
  client_auth         = "oidc" # oidc | mtls
  allowed_principals  = ["arn:aws:iam::123456789012:root"]
  consumers           = ["agents", "tenant-a", "tenant-b"]
  acceptance_required = true
  private_dns_name    = "mcp.agents.internal.example.com"
  rate_limit          = 2000 # requests per 5 minutes per client IP
  context_fetch_role  = "mcp-context-fetch"
  context_modify_role = "mcp-context-modify"
}

# The agents' shared workspace: an S3 bucket mounted as a file system in the agents VPC.
s3_files "workspace" {
  bucket            = "agents-prod-workspace"
  vpc               = "agents"
  expire_after_days = 7 # agent workspace data is ephemeral
  access_point "research" {
    uid            = 1001
    gid            = 1001
    root_directory = "/research"
    roles          = ["research-agent"]
  }
}

# Workload identity: no long-lived keys. Each role has exactly one trust, pinned to one workload.
iam_role "research-agent" {
  aws_mcp_server = true      # calls AWS through the managed AWS MCP Server (aws-mcp.<region>.api.aws/mcp)
  runs_in        = ["agents"] # its pods run in the agents VPC, whose endpoints derive from its needs
  irsa {
    oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B716D3041E"
    namespace         = "agents"
    service_account   = "research"
  }
  allow "workspace" {
    actions = ["s3files:ClientMount", "s3files:ClientWrite"]
    on      = ["s3_files.workspace.research"] # model references resolve to ARNs
  }
  allow "model" {
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    on      = ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"]
  }
  allow "market-data-key" {
    actions = ["secretsmanager:GetSecretValue"] # the research tool's API key for the market-data API
    on      = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:agents/market-data-api-AbCdEf"]
  }
}

iam_role "mcp-context-fetch" {
  runs_in = ["agents"]
  pod_identity {
    cluster         = "agents"
    namespace       = "mcp"
    service_account = "context-fetch"
  }
  allow "read-context" {
    actions = ["s3:GetObject", "s3:ListBucket"]
    on      = ["arn:aws:s3:::agents-prod-context", "arn:aws:s3:::agents-prod-context/*"]
  }
}

iam_role "mcp-context-modify" {
  roles_anywhere {
    trust_anchor_arn = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/4b2c6f0e-1a2b-4c3d-9e8f-0123456789ab"
    common_name      = "mcp-context-modify.agents.internal"
  }
  allow "write-context" {
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    on      = ["arn:aws:s3:::agents-prod-context/*"]
  }
}

# The payment duties, each held by its own workload: the administrator (payment managers,
# connectors, credential providers), the session service (instruments and sessions, never pays)
# and the mediation layer (pays within the guardrails, never creates sessions).
iam_role "payments-admin" {
  roles_anywhere {
    trust_anchor_arn = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/4b2c6f0e-1a2b-4c3d-9e8f-0123456789ab"
    common_name      = "payments-admin.agents.internal"
  }
}

iam_role "payments-sessions" {
  runs_in = ["agents"]
  pod_identity {
    cluster         = "agents"
    namespace       = "payments"
    service_account = "sessions"
  }
}

iam_role "payments-mediator" {
  runs_in = ["agents"]
  pod_identity {
    cluster         = "agents"
    namespace       = "payments"
    service_account = "mediator"
  }
}

payment_manager "research" {
  authorizer         = "aws_iam"               # aws_iam | custom_jwt
  agents             = ["research-agent"]      # roles that may ask the mediation layer to pay
  admin_principals   = ["payments-admin"]      # who may assume each payment role: blueprint roles
  session_principals = ["payments-sessions"]   # or IAM role ARNs, never an account root; the
  payment_principals = ["payments-mediator"]   # session and payment duties never share one
  connector "coinbase" {
    provider               = "coinbase_cdp"     # coinbase_cdp | stripe_privy
    credential_secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agents/cdp-AbCdEf"
    marketplace_subscribed = true # the account is subscribed to "Coinbase Wallets for AgentCore Payments"
  }
  guardrails {
    currency               = "USD"
    daily_limit            = "50.00"    # money is a decimal string, never a float
    session_limit          = "5.00"
    payment_limit          = "0.25"
    max_payments_per_day   = 500
    session_expiry_minutes = 60
    alert_at_percent       = [50, 75, 90]
    allowed_merchants      = ["api.market-data.example.com"]
    burst {                            # aggregate cap against drain attacks
      window_minutes = 10
      max_payments   = 40
    }
    deny_phases            = ["exploration"]
  }
  ledger {
    retention_days = 2555
  }
}

# The audit trail the design notes ask for ("CloudTrail plus a dedicated payment ledger"): a
# multi-region trail of management events and of the data events of the payment ledger and
# archive, the MCP ingress logs and the workspace, into an encrypted bucket under Object Lock.
# `trail = "organization"` (with `organization_trail_arn`) relies on an existing organization trail.
audit_trail "platform" {
  trail          = "dedicated"
  retention_days = 365
}
