# A reusable module: no provider block here (the root module configures it, see examples/basic).
terraform {
  # Cross-variable validation needs 1.9.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Tested major version 6, from 6.28: aws_lambda_permission's invoked_via_function_url (main.tf, the second
      # public permission of a NONE function URL) is absent from the 5.100.0 and 6.25.0 schemas.
      version = "~> 6.28"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}
