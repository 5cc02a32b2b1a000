# A reusable module: no provider block here (the root module configures it, see examples/basic).
terraform {
  # Cross-variable validation needs 1.9.
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0" # tested major version 6
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}
