package rest

import "net/http"

// packageFields and versionFields are the REST representations of a
// package and a version.
const packageFields = `
fragment PackageFields on Package {
  id name type repositoryURL description abandoned abandonedReplacement defaultBranch
  monorepoPaths monorepoExcludes monorepoPath syncedAt lastAttemptAt syncError createdAt updatedAt
  sshHost sshHostKeys { keyType fingerprint source pendingKeyType pendingFingerprint }
}`

const versionFields = `
fragment VersionFields on PackageVersion {
  id version versionNormalized source refName reference stability distShasum distSize
  releasedAt defaultBranch yankedAt removedAt deprecated deprecationMessage uploadedBy createdAt updatedAt
}`

const taskFields = `
fragment TaskFields on Task {
  id kind key package args status attempts maxAttempts runAt error progress startedAt finishedAt createdAt updatedAt
}`

// packageName joins the {vendor} and {name} path parameters.
var packageName = map[string]string{"name": "{vendor}/{name}"}

// versionOf names a version of the package in the path.
var versionOf = map[string]string{"package": "{vendor}/{name}", "version": "{version}"}

// packageRoutes are the spec's Packages section, plus artifact uploads.
var packageRoutes = []Route{
	{
		Method: http.MethodGet, Path: "/api/v1/packages", List: true,
		Query: `query($first: Int, $offset: Int, $search: String, $type: PackageType) {
  packages(first: $first, offset: $offset, search: $search, type: $type) {
    totalCount edges { node { ...PackageFields } }
  }
}` + packageFields,
		Result: []string{"packages"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/packages", Status: http.StatusCreated,
		Query: `mutation($input: CreatePackageInput!) {
  createPackage(input: $input) { package { ...PackageFields } task { ...TaskFields } }
}` + packageFields + taskFields,
		Result: []string{"createPackage"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/packages/{vendor}/{name}", Vars: packageName,
		Query: `query($name: String!) {
  package(name: $name) {
    ...PackageFields
    versions: allVersions { edges { node { ...VersionFields } } }
    rejectedRefs { edges { node { refKind refName reference reason updatedAt } } }
    currentTask { ...TaskFields }
  }
}` + packageFields + versionFields + taskFields,
		Result: []string{"package"},
	},
	{
		Method: http.MethodPatch, Path: "/api/v1/packages/{vendor}/{name}", Vars: packageName,
		Query: `mutation($input: UpdatePackageInput!) {
  updatePackage(input: $input) { package { ...PackageFields } }
}` + packageFields,
		Result: []string{"updatePackage", "package"},
	},
	{
		Method: http.MethodDelete, Path: "/api/v1/packages/{vendor}/{name}", Vars: packageName, Status: http.StatusNoContent,
		Query:  `mutation($input: PackageNameInput!) { deletePackage(input: $input) { deletedName } }`,
		Result: []string{"deletePackage"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/packages/{vendor}/{name}/sync", Vars: packageName, Status: http.StatusAccepted,
		Query: `mutation($input: PackageNameInput!) {
  syncPackage(input: $input) { task { ...TaskFields } }
}` + taskFields,
		Result: []string{"syncPackage", "task"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/packages/{vendor}/{name}/yank/{version}", Vars: versionOf,
		Query:  `mutation($input: VersionInput!) { yankVersion(input: $input) { version { ...VersionFields } } }` + versionFields,
		Result: []string{"yankVersion", "version"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/packages/{vendor}/{name}/unyank/{version}", Vars: versionOf,
		Query:  `mutation($input: VersionInput!) { unyankVersion(input: $input) { version { ...VersionFields } } }` + versionFields,
		Result: []string{"unyankVersion", "version"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/packages/{vendor}/{name}/deprecate/{version}", Vars: versionOf,
		Query:  `mutation($input: DeprecateVersionInput!) { deprecateVersion(input: $input) { version { ...VersionFields } } }` + versionFields,
		Result: []string{"deprecateVersion", "version"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/packages/{vendor}/{name}/readme", Vars: packageName,
		Query:  `query($name: String!) { package(name: $name) { name defaultBranch readme readmeHTML } }`,
		Result: []string{"package"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/packages/{vendor}/{name}/validate", Vars: packageName,
		Query: `mutation($input: PackageNameInput!) {
  validatePackage(input: $input) {
    valid versions { version valid errors { field message } warnings { field message } }
  }
}`,
		Result: []string{"validatePackage"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/packages/{vendor}/{name}/download/{version}", Vars: versionOf,
		Query:   `query($package: String!, $version: String!) { packageVersion(package: $package, version: $version) { id version distShasum } }`,
		Result:  []string{"packageVersion"},
		Respond: RespondDist,
	},
	{
		Method: http.MethodGet, Path: "/api/v1/packages/{vendor}/{name}/webhook-deliveries", List: true,
		Vars: map[string]string{"package": "{vendor}/{name}"},
		Query: `query($first: Int, $offset: Int, $package: String) {
  webhookDeliveries(first: $first, offset: $offset, package: $package) {
    totalCount edges { node { id provider event deliveryID outcome repositoryURL error createdAt } }
  }
}`,
		Result: []string{"webhookDeliveries"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/packages/{vendor}/{name}/monorepo", Vars: packageName,
		Query: `query($name: String!) {
  package(name: $name) { name repositoryURL monorepoPaths monorepoExcludes syncedAt lastAttemptAt syncError currentTask { ...TaskFields } }
}` + taskFields,
		Result: []string{"package"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/packages/{vendor}/{name}/monorepo/sync", Vars: packageName, Status: http.StatusAccepted,
		Query: `mutation($input: PackageNameInput!) {
  syncPackage(input: $input) { task { ...TaskFields } }
}` + taskFields,
		Result: []string{"syncPackage", "task"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/packages/{vendor}/{name}/monorepo/children", List: true,
		Vars: map[string]string{"parent": "{vendor}/{name}"},
		Query: `query($first: Int, $offset: Int, $parent: String) {
  packages(first: $first, offset: $offset, parent: $parent) {
    totalCount edges { node { ...PackageFields } }
  }
}` + packageFields,
		Result: []string{"packages"},
	},
	{
		// Every version, newest first, page by page: the package's own
		// route embeds only the first page (rest.MaxPageSize) of them.
		Method: http.MethodGet, Path: "/api/v1/packages/{vendor}/{name}/versions", Vars: packageName, List: true,
		Query: `query($name: String!, $first: Int, $offset: Int) {
  package(name: $name) { allVersions(first: $first, offset: $offset) { totalCount edges { node { ...VersionFields } } } }
}` + versionFields,
		Result: []string{"package", "allVersions"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/packages/{vendor}/{name}/versions", Status: http.StatusCreated,
		Vars:   map[string]string{"package": "{vendor}/{name}"},
		Upload: "file",
		Query:  `mutation($input: UploadVersionInput!) { uploadVersion(input: $input) { version { ...VersionFields } } }` + versionFields,
		Result: []string{"uploadVersion", "version"},
	},
}

// taskRoutes are the spec's Tasks section.
var taskRoutes = []Route{
	taskList("/api/v1/tasks", ""),
	taskList("/api/v1/tasks/pending", "pending"),
	taskList("/api/v1/tasks/running", "running"),
	taskList("/api/v1/tasks/failed", "failed"),
	{
		Method: http.MethodPost, Path: "/api/v1/tasks", Status: http.StatusCreated,
		Query:  `mutation($input: CreateTaskInput!) { createTask(input: $input) { task { ...TaskFields } created } }` + taskFields,
		Result: []string{"createTask"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/tasks/sync-all", Status: http.StatusAccepted,
		Query:  `mutation { createTask(input: {kind: sync_all}) { task { ...TaskFields } created } }` + taskFields,
		Result: []string{"createTask"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/tasks/cleanup", Status: http.StatusAccepted,
		Query:  `mutation { createTask(input: {kind: cleanup}) { task { ...TaskFields } created } }` + taskFields,
		Result: []string{"createTask"},
	},
}

func taskList(path, status string) Route {
	r := Route{
		Method: http.MethodGet, Path: path, List: true,
		Query: `query($first: Int, $offset: Int, $status: TaskStatus, $kind: TaskKind) {
  tasks(first: $first, offset: $offset, status: $status, kind: $kind) {
    totalCount edges { node { ...TaskFields } }
  }
}` + taskFields,
		Result: []string{"tasks"},
	}
	if status != "" {
		r.Fixed = map[string]any{"status": status}
	}
	return r
}
