package rest

import "net/http"

// knownHostFields is the REST representation of a trusted ssh host key.
const knownHostFields = `
fragment KnownHostFields on KnownHost {
  id host keyType key fingerprint source firstSeenAt acceptedAt
  pendingKeyType pendingFingerprint pendingSeenAt createdAt updatedAt
}`

// knownHostRoutes list the tenant's trusted ssh host keys and accept the
// new key of a server whose key changed. {host} is KnownHost.host,
// percent-encoded ("%5Bgit.example.com%5D%3A2222" for port 2222).
var knownHostRoutes = []Route{
	{
		Method: http.MethodGet, Path: "/api/v1/known-hosts", List: true,
		Query: `query($first: Int, $offset: Int, $host: String) {
  knownHosts(first: $first, offset: $offset, host: $host) {
    totalCount edges { node { ...KnownHostFields } }
  }
}` + knownHostFields,
		Result: []string{"knownHosts"},
	},
	{
		Method: http.MethodPost, Path: "/api/v1/known-hosts/{host}/accept",
		Query:  `mutation($input: AcceptHostKeyInput!) { acceptHostKey(input: $input) { knownHost { ...KnownHostFields } } }` + knownHostFields,
		Result: []string{"acceptHostKey", "knownHost"},
	},
}
