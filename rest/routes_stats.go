package rest

import "net/http"

// countFields are the two counters every statistics object carries.
const countFields = `installs downloads`

// dayFields is one day of a daily series.
const dayFields = `days { date ` + countFields + ` }`

// statsRoutes are the spec's Statistics section. Dates are UTC days as
// YYYY-MM-DD in the query parameters from and to.
var statsRoutes = []Route{
	{
		Method: http.MethodGet, Path: "/api/v1/stats",
		Query: `query($from: String, $to: String, $limit: Int) {
  downloadStats(from: $from, to: $to, limit: $limit) {
    ` + countFields + ` packages versions customers from to
    topPackages { package ` + countFields + ` }
  }
}`,
		Result: []string{"downloadStats"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/stats/packages/{vendor}/{name}",
		Vars: map[string]string{"package": "{vendor}/{name}"},
		Query: `query($package: String!, $customer: ID) {
  packageDownloadStats(package: $package, customer: $customer) {
    package customer ` + countFields + ` customers
    versions { version versionNormalized ` + countFields + ` }
  }
}`,
		Result: []string{"packageDownloadStats"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/stats/packages/{vendor}/{name}/versions/{version}", Vars: versionOf,
		Query: `query($package: String!, $version: String!, $customer: ID, $from: String, $to: String) {
  versionDownloadStats(package: $package, version: $version, customer: $customer, from: $from, to: $to) {
    package version versionNormalized customer ` + countFields + ` customers from to ` + dayFields + `
  }
}`,
		Result: []string{"versionDownloadStats"},
	},
	{
		Method: http.MethodGet, Path: "/api/v1/stats/daily",
		Query: `query($from: String, $to: String, $package: String, $customer: ID) {
  dailyDownloadStats(from: $from, to: $to, package: $package, customer: $customer) {
    from to package customer ` + countFields + ` ` + dayFields + `
  }
}`,
		Result: []string{"dailyDownloadStats"},
	},
}
