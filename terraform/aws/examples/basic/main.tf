# Example root module: configures the AWS provider and uses terraform/aws as a module.
#   cd terraform/aws/examples/basic && cp terraform.tfvars.example terraform.tfvars && terraform init && terraform apply

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.28"
    }
  }
}

variable "region" {
  description = "AWS region of the function and of every mirror."
  type        = string
}

variable "config_file" {
  description = "The mirror-vip configuration document."
  type        = string
}

variable "schedule_expression" {
  description = "How often every mirror is reconciled."
  type        = string
  default     = "rate(1 minute)"
}

variable "reserved_concurrency" {
  description = "null (no reservation, works on every account) or 1 where the account's concurrency quota is 101 or more (docs/deploy-aws.md)."
  type        = number
  default     = null
}

variable "subnet_ids" {
  description = "Subnets from which the health probe reaches the members; empty: no VPC."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "Security groups of the function (egress to the members' web port); with subnet_ids."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ "mirror-vip:function" = "mirror-vip" }, var.tags)
  }
}

module "mirror_vip" {
  source = "../.."

  region               = var.region
  config_file          = var.config_file
  schedule_expression  = var.schedule_expression
  create_outcome_topic = true
  reserved_concurrency = var.reserved_concurrency
  subnet_ids           = var.subnet_ids
  security_group_ids   = var.security_group_ids
}

output "function_url" {
  value = module.mirror_vip.function_url
}

output "key_parameter_names" {
  value = module.mirror_vip.key_parameter_names
}
