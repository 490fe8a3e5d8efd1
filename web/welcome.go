package web

// WelcomeQuery is what GraphiQL's editor shows on a first visit instead of
// GraphiQL's generic text: how to authenticate and a first query that
// answers something useful. graph's tests check it against the schema, so
// it cannot drift from the API.
const WelcomeQuery = `# Welcome to Cargoman's GraphQL API.
#
# Authenticate first: open the Headers pane below and fill in
#
#   {"Authorization": "Bearer <your token>"}
#
# with an API token: the root token "cargoman serve" printed on its first
# start, or a CMA token made with createAdminToken. Headers are kept only
# in this tab, never saved in the browser: paste the token again after a
# reload.
#
# Then run this query with the play button (or Ctrl-Enter). The Docs pane
# lists every type and field; Ctrl-Space completes names as you type.
{
  viewer {
    kind
    role
    canWrite
    tenant { name }
  }
  packages(first: 10) {
    totalCount
    edges {
      node {
        name
        type
        syncedAt
        lastAttemptAt
        syncError
      }
    }
  }
}
`
