// Starts Swagger UI on /api/docs/. A static file, because the Content-Security-Policy
// allows no inline script; the page passes the schema URL and CSRF token as data attributes.
"use strict";

(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  var csrfToken = root.dataset.csrfToken;
  root.textContent = "";
  SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // "Try it out" with the browser's session: a write needs the CSRF token, as a form would.
    requestInterceptor: function (request) {
      var method = (request.method || "GET").toUpperCase();
      if (["GET", "HEAD", "OPTIONS"].indexOf(method) === -1 && csrfToken) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    },
  });
})();
