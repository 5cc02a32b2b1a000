terraform {
  # Cross-variable validation needs 1.9.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.28 adds lambda:InvokeFunction (InvokedViaFunctionUrl) beside lambda:InvokeFunctionUrl for a NONE function URL,
      # which function URLs created since October 2025 require.
      version = ">= 6.28"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ "mirror-vip:function" = var.function_name }, var.tags)
  }
}
