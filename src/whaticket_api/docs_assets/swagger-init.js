// Swagger UI bootstrap, served from the package (a Content-Security-Policy without inline scripts allows it).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // No validator badge: it would send the document to a third-party service.
    validatorUrl: null,
    displayOperationId: true,
    tagsSorter: "alpha",
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
  });
});
