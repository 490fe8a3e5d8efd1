package rest

import "net/http"

// tokenFields is the REST representation of a customer token.
const tokenFields = `
fragment TokenFields on CustomerToken {
  id name scope packageScopes prefix expiresAt lastUsedAt revokedAt legacy mintedBy createdAt updatedAt
}`

// tokenSecret is the response of the routes that make a token secret: the
// token, the secret and Composer's credentials (the spec's shape).
const tokenSecret = `{ token { ...TokenFields } plainToken composerAuth { username password repositoryURL authJSON composerConfigCommand } }`

// accessFields is one way a customer reaches a package.
const accessFields = `
fragment AccessFields on PackageAccess { package: packageName constraint canPublish source createdAt }`

const collectionFields = `
fragment CollectionFields on Collection { id slug name packages: packageNames createdAt updatedAt }`

const collectionGrantFields = `
fragment CollectionGrantFields on CollectionGrant { id collection { slug name } constraint createdAt updatedAt }`

// ofCustomer names the customer of the path ({id}) as customerID.
var ofCustomer = map[string]string{"customerID": "{id}"}

// customerAccessRoutes are the spec's Tokens, Legacy Token, JWT and Package
// Access sections, the Freeze route, and the routes granting collections.
var customerAccessRoutes = []Route{
	{
		Method: http.MethodPost, Path: "/api/v1/customers/{id}/tokens", Vars: ofCustomer, Status: http.StatusCreated,
		Query:  `mutation($input: CreateCustomerTokenInput!) { createCustomerToken(input: $input) ` + tokenSecret + ` }` + tokenFields,
		Result: []string{"createCustomerToken"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/customers/{id}/tokens", List: true,
		Query: `query($id: ID!, $first: Int, $offset: Int) {
  customer(id: $id) { tokens(first: $first, offset: $offset) { totalCount edges { node { ...TokenFields } } } }
}` + tokenFields,
		Result: []string{"customer", "tokens"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/customers/{id}/tokens/{token_id}",
		Query:  `query($id: ID!, $tokenID: ID!) { customer(id: $id) { token(id: $tokenID) { ...TokenFields } } }` + tokenFields,
		Result: []string{"customer", "token"},
	},
	{
		Method: http.MethodDelete, Path: "/api/v1/customers/{id}/tokens/{token_id}", Status: http.StatusNoContent,
		Vars:   map[string]string{"customerID": "{id}", "id": "{token_id}"},
		Query:  `mutation($input: CustomerTokenInput!) { revokeCustomerToken(input: $input) { token { id } } }`,
		Result: []string{"revokeCustomerToken"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/customers/{id}/tokens/{token_id}/rotate",
		Vars:   map[string]string{"customerID": "{id}", "id": "{token_id}"},
		Query:  `mutation($input: CustomerTokenInput!) { rotateCustomerToken(input: $input) ` + tokenSecret + ` }` + tokenFields,
		Result: []string{"rotateCustomerToken"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/customers/{id}/token/regenerate", Vars: ofCustomer, Status: http.StatusCreated,
		Query:  `mutation($input: LegacyTokenInput!) { regenerateLegacyToken(input: $input) ` + tokenSecret + ` }` + tokenFields,
		Result: []string{"regenerateLegacyToken"},
	},
	{
		Method: http.MethodDelete, Path: "/api/v1/customers/{id}/token", Vars: ofCustomer, Status: http.StatusNoContent,
		Query:  `mutation($input: LegacyTokenInput!) { deleteLegacyToken(input: $input) { deletedID } }`,
		Result: []string{"deleteLegacyToken"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/customers/{id}/jwt", Vars: ofCustomer,
		Query: `mutation($input: IssueCustomerJWTInput!) {
  issueCustomerJWT(input: $input) { token expiresAt composerAuth { username password repositoryURL authJSON composerConfigCommand } }
}`,
		Result: []string{"issueCustomerJWT"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/customers/{id}/packages", List: true,
		Query: `query($id: ID!, $first: Int, $offset: Int) {
  customer(id: $id) { packageAccess(first: $first, offset: $offset) { totalCount edges { node { ...AccessFields } } } }
}` + accessFields,
		Result: []string{"customer", "packageAccess"},
	},
	{
		Method: http.MethodPut, Path: "/api/v1/customers/{id}/packages", Vars: ofCustomer,
		Query: `mutation($input: SetCustomerPackagesInput!) {
  setCustomerPackages(input: $input) { customer { packageAccess { edges { node { ...AccessFields } } } } }
}` + accessFields,
		Result: []string{"setCustomerPackages", "customer", "packageAccess"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/customers/{id}/packages", Vars: ofCustomer, Status: http.StatusCreated,
		Query:  `mutation($input: GrantPackageInput!) { grantPackage(input: $input) { access { ...AccessFields } } }` + accessFields,
		Result: []string{"grantPackage", "access"},
	},
	{
		Method: http.MethodDelete, Path: "/api/v1/customers/{id}/packages/{vendor}/{name}", Status: http.StatusNoContent,
		Vars:   map[string]string{"customerID": "{id}", "package": "{vendor}/{name}"},
		Query:  `mutation($input: RevokePackageInput!) { revokePackage(input: $input) { revokedPackage } }`,
		Result: []string{"revokePackage"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/customers/{id}/collections", List: true,
		Query: `query($id: ID!, $first: Int, $offset: Int) {
  customer(id: $id) { collectionGrants(first: $first, offset: $offset) { totalCount edges { node { ...CollectionGrantFields } } } }
}` + collectionGrantFields,
		Result: []string{"customer", "collectionGrants"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/customers/{id}/collections", Vars: ofCustomer, Status: http.StatusCreated,
		Query:  `mutation($input: GrantCollectionInput!) { grantCollection(input: $input) { grant { ...CollectionGrantFields } } }` + collectionGrantFields,
		Result: []string{"grantCollection", "grant"},
	},
	{
		Method: http.MethodDelete, Path: "/api/v1/customers/{id}/collections/{slug}", Status: http.StatusNoContent,
		Vars:   map[string]string{"customerID": "{id}", "collection": "{slug}"},
		Query:  `mutation($input: RevokeCollectionInput!) { revokeCollection(input: $input) { revokedCollection } }`,
		Result: []string{"revokeCollection"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/customers/{id}/freeze",
		Query: `mutation($input: FreezeCustomerInput!) {
  freezeCustomer(input: $input) { customer { ...CustomerFields } }
}` + customerFields,
		Result: []string{"freezeCustomer", "customer"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/packages/{vendor}/{name}/customers", List: true, Vars: packageName,
		Query: `query($name: String!, $first: Int, $offset: Int) {
  package(name: $name) {
    customers(first: $first, offset: $offset) { totalCount edges { node { customer { ...CustomerFields } constraint source createdAt } } }
  }
}` + customerFields,
		Result: []string{"package", "customers"},
	},
}

// collectionRoutes are the spec's Collections section.
var collectionRoutes = []Route{
	{
		Method: http.MethodGet, Path: "/api/v1/collections", List: true,
		Query: `query($first: Int, $offset: Int, $search: String) {
  collections(first: $first, offset: $offset, search: $search) { totalCount edges { node { ...CollectionFields } } }
}` + collectionFields,
		Result: []string{"collections"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/collections", Status: http.StatusCreated,
		Query:  `mutation($input: CreateCollectionInput!) { createCollection(input: $input) { collection { ...CollectionFields } } }` + collectionFields,
		Result: []string{"createCollection", "collection"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/collections/{slug}",
		Query:  `query($slug: String!) { collection(slug: $slug) { ...CollectionFields } }` + collectionFields,
		Result: []string{"collection"},
	},
	{
		Method: http.MethodPatch, Path: "/api/v1/collections/{slug}",
		Query:  `mutation($input: UpdateCollectionInput!) { updateCollection(input: $input) { collection { ...CollectionFields } } }` + collectionFields,
		Result: []string{"updateCollection", "collection"},
	},
	{
		Method: http.MethodDelete, Path: "/api/v1/collections/{slug}", Status: http.StatusNoContent,
		Query:  `mutation($input: DeleteCollectionInput!) { deleteCollection(input: $input) { deletedSlug } }`,
		Result: []string{"deleteCollection"},
	},
}
