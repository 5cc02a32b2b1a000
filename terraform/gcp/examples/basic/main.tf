# Example root module: configures the Google provider and uses terraform/gcp as a module.
#   cd terraform/gcp/examples/basic && cp terraform.tfvars.example terraform.tfvars && terraform init && terraform apply

terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
  }
}

variable "project" {
  description = "Project of the functions and of every mirror."
  type        = string
}

variable "region" {
  description = "Region of the functions."
  type        = string
}

variable "config_file" {
  description = "The mirror-vip configuration document."
  type        = string
}

variable "reconcile_schedule" {
  description = "Cron schedule of the periodic reconcile."
  type        = string
  default     = "* * * * *"
}

variable "subnetwork" {
  description = "The members' subnet (alias-ip VIPs take their range and external address from it); null without alias-ip VIPs."
  type        = string
  default     = null
}

variable "vpc_connector" {
  description = "Serverless VPC Access connector through which the health probe reaches the members; null: no probe route."
  type        = string
  default     = null
}

variable "secret_env" {
  description = "env:NAME keys: NAME => Secret Manager secret id in the project (docs/gcp.md)."
  type        = map(string)
  default     = {}
}

variable "notification_channels" {
  description = "Notification channel ids for the outcome and error alerts."
  type        = list(string)
  default     = []
}

provider "google" {
  project = var.project
  region  = var.region

  default_labels = { "mirror-vip-function" = "mirror-vip" }
}

module "mirror_vip" {
  source = "../.."

  project               = var.project
  region                = var.region
  config_file           = var.config_file
  reconcile_schedule    = var.reconcile_schedule
  notification_channels = var.notification_channels
  subnetwork            = var.subnetwork
  vpc_connector         = var.vpc_connector
  secret_env            = var.secret_env
}

output "function_url" {
  value = module.mirror_vip.function_url
}
