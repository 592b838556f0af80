// The API reference page (/api/docs): Swagger UI on the generated OpenAPI document. A separate
// file because the Content-Security-Policy allows no inline script.
/* global SwaggerUIBundle */
window.addEventListener('load', () => {
  SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#reference',
    deepLinking: true,
    docExpansion: 'none',
    defaultModelsExpandDepth: 0,
  });
});
