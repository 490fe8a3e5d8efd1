// Cargoman's GraphiQL bootstrap. The Go handler writes the settings into
// #graphiql's data-* attributes, so the page needs no inline script and can
// run under a Content-Security-Policy of script-src 'self'.
(function () {
  "use strict";

  var root = document.getElementById("graphiql");
  var endpoint = root.getAttribute("data-endpoint");
  var defaultQuery = root.getAttribute("data-default-query");

  // A blank template for the header users are expected to fill in. An
  // Authorization header whose token is still empty is not sent (see below),
  // so the schema loads anonymously until a token is pasted in.
  var defaultHeaders = JSON.stringify({ Authorization: "Bearer " }, null, 2);

  function isBlankBearer(value) {
    return /^\s*bearer\s*$/i.test(String(value));
  }

  // Headers are never persisted: a pasted root token must not outlive the
  // tab in local storage. Earlier versions of this page saved them; drop
  // what they left behind.
  try {
    window.localStorage.removeItem("graphiql:headers");
  } catch (e) {
    // storage disabled: nothing was saved either
  }

  // fetcher POSTs each operation as JSON to the endpoint with the headers
  // from GraphiQL's headers editor. A body that is not JSON (a proxy's error
  // page, say) is turned into a GraphQL error so GraphiQL can show it.
  async function fetcher(params, opts) {
    var headers = new Headers({
      "Content-Type": "application/json",
      "Accept": "application/graphql-response+json, application/json",
    });
    var extra = (opts && opts.headers) || {};
    Object.keys(extra).forEach(function (name) {
      var value = extra[name];
      if (value === undefined || value === null) return;
      if (name.toLowerCase() === "authorization" && isBlankBearer(value)) return;
      headers.set(name, String(value));
    });
    var res = await fetch(endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(params),
      credentials: "same-origin",
    });
    var text = await res.text();
    try {
      return JSON.parse(text);
    } catch (e) {
      return {
        errors: [{ message: "HTTP " + res.status + " " + res.statusText + ": " + text.slice(0, 1000) }],
      };
    }
  }

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultHeaders: defaultHeaders,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: "headers",
    })
  );
})();
