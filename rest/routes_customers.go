package rest

import "net/http"

// customerFields is the REST representation of a customer.
const customerFields = `
fragment CustomerFields on Customer {
  id name email externalID status suspensionReason
  frozenVersions: freezes { edges { node { package: packageName version versionNormalized } } }
  createdAt updatedAt
}`

// customerRoutes are the spec's Customers section.
var customerRoutes = []Route{
	{
		Method: http.MethodPost, Path: "/api/v1/customers", Status: http.StatusCreated,
		Query: `mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { ...CustomerFields } }
}` + customerFields,
		Result: []string{"createCustomer", "customer"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/customers", List: true,
		Query: `query($first: Int, $offset: Int, $status: CustomerStatus, $search: String) {
  customers(first: $first, offset: $offset, status: $status, search: $search) {
    totalCount edges { node { ...CustomerFields } }
  }
}` + customerFields,
		Result: []string{"customers"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/customers/by-external/{external_id}",
		Query: `query($externalID: String!) {
  customerByExternalId(externalID: $externalID) { ...CustomerFields }
}` + customerFields,
		Result: []string{"customerByExternalId"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/customers/{id}",
		Query:  `query($id: ID!) { customer(id: $id) { ...CustomerFields } }` + customerFields,
		Result: []string{"customer"},
	},
	{
		Method: http.MethodPatch, Path: "/api/v1/customers/{id}",
		Query: `mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { customer { ...CustomerFields } }
}` + customerFields,
		Result: []string{"updateCustomer", "customer"},
	},
	{
		Method: http.MethodDelete, Path: "/api/v1/customers/{id}", Status: http.StatusNoContent,
		Query:  `mutation($input: DeleteCustomerInput!) { deleteCustomer(input: $input) { deletedID } }`,
		Result: []string{"deleteCustomer"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/customers/{id}/suspend",
		Query: `mutation($input: SuspendCustomerInput!) {
  suspendCustomer(input: $input) { customer { ...CustomerFields } }
}` + customerFields,
		Result: []string{"suspendCustomer", "customer"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/customers/{id}/reactivate",
		Query: `mutation($input: ReactivateCustomerInput!) {
  reactivateCustomer(input: $input) { customer { ...CustomerFields } }
}` + customerFields,
		Result: []string{"reactivateCustomer", "customer"},
	},
}

// Routes returns every REST route, in the order they are matched.
func Routes() []Route {
	var all []Route
	for _, group := range [][]Route{customerRoutes, customerAccessRoutes, packageRoutes, collectionRoutes, taskRoutes, statsRoutes, knownHostRoutes} {
		all = append(all, group...)
	}
	return all
}
