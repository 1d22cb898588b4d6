# The agent platform from the design notes: the network core (transit gateway segments, VPCs and
# the multicloud interconnect). Ingress, identity, storage and payments join as agentform grows.

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
  segment "agents" { connects_to = ["shared", "multicloud"] }
  segment "shared" { connects_to = ["agents", "dev"] }
  segment "dev" { connects_to = ["shared"] }
  segment "multicloud" {}
  segment "tenants" {
    isolated    = true # members may not reach each other
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
