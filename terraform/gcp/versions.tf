terraform {
  # Cross-variable validation needs 1.9.
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4"
    }
  }
}

provider "google" {
  project = var.project
  region  = var.region

  default_labels = merge({ "mirror-vip-function" = var.function_name }, var.labels)
}
