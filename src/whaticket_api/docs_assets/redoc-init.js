// ReDoc bootstrap, served from the package (a Content-Security-Policy without inline scripts allows it).
window.addEventListener("load", function () {
  Redoc.init(
    document.body.dataset.openapiUrl,
    { hideDownloadButton: false, expandResponses: "200,201", jsonSampleExpandLevel: 3 },
    document.getElementById("redoc"),
  );
});
