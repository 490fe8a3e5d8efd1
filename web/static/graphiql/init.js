// Cargoman's GraphiQL bootstrap. The Go handler writes the settings into
// #graphiql's data-* attributes, so the page needs no inline script and can
// run under a Content-Security-Policy of script-src 'self'.
(function () {
  "use strict";

  var root = document.getElementById("graphiql");
  var endpoint = root.getAttribute("data-endpoint");

  // A blank template for the header users are expected to fill in. An
  // Authorization header whose token is still empty is not sent (see below),
  // so the schema loads anonymously until a token is pasted in.
  var defaultHeaders = JSON.stringify({ Authorization: "Bearer " }, null, 2);

  function isBlankBearer(value) {
    return /^\s*bearer\s*$/i.test(String(value));
  }

  // persistedHeaders returns the headers GraphiQL saved in local storage.
  // GraphiQL sends its first introspection query before the headers editor
  // exists, and then passes no headers at all; without this, a server that
  // wants a token for introspection would show no docs after a reload.
  function persistedHeaders() {
    try {
      var saved = JSON.parse(window.localStorage.getItem("graphiql:headers") || "{}");
      return saved && typeof saved === "object" && !Array.isArray(saved) ? saved : {};
    } catch (e) {
      return {};
    }
  }

  // fetcher POSTs each operation as JSON to the endpoint with the headers
  // from GraphiQL's headers editor. A body that is not JSON (a proxy's error
  // page, say) is turned into a GraphQL error so GraphiQL can show it.
  async function fetcher(params, opts) {
    var headers = new Headers({
      "Content-Type": "application/json",
      "Accept": "application/graphql-response+json, application/json",
    });
    var extra = (opts && opts.headers) || persistedHeaders();
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
      shouldPersistHeaders: true,
      defaultHeaders: defaultHeaders,
      defaultEditorToolsVisibility: "headers",
    })
  );
})();
