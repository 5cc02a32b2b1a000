# A reusable module: no provider block here (the root module configures it, see examples/basic).
terraform {
  # Cross-variable validation needs 1.9.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Tested major version 6. 6.28 adds lambda:InvokeFunction (InvokedViaFunctionUrl) beside
      # lambda:InvokeFunctionUrl for a NONE function URL, which function URLs created since October 2025 require.
      version = "~> 6.28"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}
