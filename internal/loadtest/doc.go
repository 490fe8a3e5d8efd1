// Package loadtest holds Cargoman's load benchmarks (issue 4, "Measure and
// report"), written as Go tests that skip unless CARGOMAN_LOAD=1 so that
// `make test` stays fast; `make load` runs them. They compare Cargoman with
// nginx serving the same bytes as static files:
//
//   - metadata serving: wrk against an authenticated GET /p2/acme/lib.json
//     (200 versions, a customer with 100 grants) and against nginx serving
//     that body from disk, both gzip-compressed per request;
//   - installs: `composer update` of a project requiring 30 packages against
//     Cargoman and against a static copy of the repository (packages.json,
//     p2 documents and dist zips) served by nginx.
//
// They need the Debian packages nginx, wrk, composer, php-cli, php-zip and
// unzip, and fail only on harness errors, never on missed targets.
package loadtest
