terraform {
  required_version = ">= 1.5"
  required_providers {
    oci = {
      source = "oracle/oci"
      # 6.37.0 is the first release whose oci_resource_scheduler_schedule has resources.parameters (CHANGELOG 6.37.0:
      # "provider support for Resource Scheduler enhancement feature"; the resource itself arrived in 6.1.0). Every
      # argument this module uses was checked in the provider source at v6.37.0 and v8.28.0; no 9.x is known.
      version = ">= 6.37.0, < 9.0.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5, < 4.0"
    }
  }
}

provider "oci" {
  region = var.region
}
