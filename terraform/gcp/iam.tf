# Three identities. The function's service account is the only holder of network-write permission, through custom
# roles that hold only the Compute permissions the provider calls (shared/providers/gcp/compute-api.ts), each bound
# on the narrowest resource GCP allows; its only other write is a version of a mirror's pause secret. The trigger's may only invoke the event function. The members' may only
# invoke the HTTP function: the database VMs get no Compute permission at all.

resource "google_service_account" "function" {
  account_id   = "${var.function_name}-fn"
  display_name = "mirror-vip functions (moves the VIP)"
}

resource "google_service_account" "trigger" {
  account_id   = "${var.function_name}-trigger"
  display_name = "mirror-vip Pub/Sub trigger (invokes the event function)"
}

resource "google_service_account" "member" {
  count        = var.create_member_service_account ? 1 : 0
  account_id   = "${var.function_name}-member"
  display_name = "mirror-vip members (may only invoke the HTTP function)"
}

# --- Instance level: read nic0, move the alias range and the access config, be a route's next hop. ---

resource "google_project_iam_custom_role" "instance" {
  role_id     = "${local.role_prefix}_instance"
  title       = "mirror-vip on member instances"
  description = "Move the VIP on the mirror members' nic0 (granted on those instances only)"
  permissions = local.instance_permissions
}

resource "google_compute_instance_iam_member" "function" {
  for_each = local.members

  project       = each.value.project
  zone          = each.value.zone
  instance_name = each.value.instance
  role          = google_project_iam_custom_role.instance.id
  member        = "serviceAccount:${google_service_account.function.email}"
}

# --- Subnetwork level: take the alias range and the external address from the members' subnet. ---

resource "google_project_iam_custom_role" "subnetwork" {
  count       = length(local.subnetwork_permissions) > 0 ? 1 : 0
  role_id     = "${local.role_prefix}_subnetwork"
  title       = "mirror-vip on the members' subnet"
  description = "Use the members' subnet for the alias range and the external address (granted on that subnet only)"
  permissions = local.subnetwork_permissions
}

resource "google_compute_subnetwork_iam_member" "function" {
  count      = length(local.subnetwork_permissions) > 0 ? 1 : 0
  project    = var.project
  region     = var.region
  subnetwork = var.subnetwork
  role       = google_project_iam_custom_role.subnetwork[0].id
  member     = "serviceAccount:${google_service_account.function.email}"
}

# --- Project level, and only because GCP has nothing narrower: zone and global operations, routes (global, with
# networks.updatePolicy on their network) and static addresses have no resource-level IAM for these permissions.
# The role still holds nothing but them: it cannot create instances, firewalls or networks. ---

resource "google_project_iam_custom_role" "project" {
  count       = length(local.project_permissions) > 0 ? 1 : 0
  role_id     = "${local.role_prefix}_project"
  title       = "mirror-vip project-wide"
  description = "Wait on operations, replace the VIP route, use the VIP addresses"
  permissions = local.project_permissions
}

resource "google_project_iam_member" "function" {
  count   = length(local.project_permissions) > 0 ? 1 : 0
  project = var.project
  role    = google_project_iam_custom_role.project[0].id
  member  = "serviceAccount:${google_service_account.function.email}"
}

# --- Member and operator keys: one Secret Manager secret per gcp-sm key, readable by the function's service account
# only. ---

resource "google_secret_manager_secret" "key" {
  for_each = local.secrets

  project   = each.value.project
  secret_id = each.value.secret_id
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "key" {
  for_each = nonsensitive(toset([for k in keys(var.key_values) : k if contains(keys(local.secrets), k)]))

  secret      = google_secret_manager_secret.key[each.key].id
  secret_data = var.key_values[each.key]
}

resource "google_secret_manager_secret_iam_member" "function" {
  for_each = local.secrets

  project   = each.value.project
  secret_id = google_secret_manager_secret.key[each.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function.email}"
}

# --- Secrets exposed as environment variables (var.secret_env, for env:NAME keys): readable on those secrets only. ---

resource "google_secret_manager_secret_iam_member" "env" {
  for_each = toset(values(var.secret_env))

  project   = var.project
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function.email}"
}

# --- Maintenance pauses: one secret per mirror (with operator keys), written by mirror-vip pause|resume through the
# function as new versions. The function may add a version and read the latest, on these secrets only. ---

resource "google_secret_manager_secret" "pause" {
  for_each = local.pause_secrets

  project   = var.project
  secret_id = each.value
  labels    = var.labels
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_iam_member" "pause" {
  for_each = local.pause_grants

  project   = var.project
  secret_id = google_secret_manager_secret.pause[each.value.mirror].secret_id
  role      = each.value.role
  member    = "serviceAccount:${google_service_account.function.email}"
}

# --- Invokers: the members call the HTTP function, the trigger calls the event function; nothing else. ---

resource "google_cloud_run_service_iam_member" "member_invokes_http" {
  count    = var.create_member_service_account ? 1 : 0
  project  = var.project
  location = google_cloudfunctions2_function.http.location
  service  = google_cloudfunctions2_function.http.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.member[0].email}"
}

# Operators (mirror-vip inspect|reconcile|pause --cloud gcp): invoke the HTTP function, nothing else; the operator key
# is the second gate.
resource "google_cloud_run_service_iam_member" "operator_invokes_http" {
  for_each = toset(var.operator_invokers)
  project  = var.project
  location = google_cloudfunctions2_function.http.location
  service  = google_cloudfunctions2_function.http.name
  role     = "roles/run.invoker"
  member   = each.value
}

# Only when asked: the HMAC signature then is the only gate, as for an AWS function URL with auth type NONE.
resource "google_cloud_run_service_iam_member" "public_http" {
  count    = var.allow_unauthenticated ? 1 : 0
  project  = var.project
  location = google_cloudfunctions2_function.http.location
  service  = google_cloudfunctions2_function.http.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "trigger_invokes_events" {
  project  = var.project
  location = google_cloudfunctions2_function.events.location
  service  = google_cloudfunctions2_function.events.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.trigger.email}"
}
