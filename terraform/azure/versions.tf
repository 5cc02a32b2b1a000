terraform {
  required_version = ">= 1.9"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.42 is the first release with azurerm_key_vault's rbac_authorization_enabled; 5.x is untested
      version = ">= 4.42, < 5.0"
    }
  }
}

provider "azurerm" {
  subscription_id = var.subscription_id
  features {}
}
