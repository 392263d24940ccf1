package webchat

import (
	"bytes"
	"embed"
	"net/http"
	"time"
)

//go:embed static/widget.html static/widget.js
var static embed.FS

// widgetCSP allows only the widget's own script and posts to our own
// origin: nothing a visitor types can load or run anything else. The page
// is meant to be framed by customers' sites, so frame-ancestors is open.
const widgetCSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'"

// Handler serves the embeddable widget: GET /webchat/widget.html and the
// script it loads, GET /webchat/widget.js. Neither holds a secret; the
// embedding page passes the visitor's id and key in the URL fragment.
func Handler() http.Handler {
	mux := http.NewServeMux()
	serve := func(name, contentType string) http.HandlerFunc {
		body, err := static.ReadFile("static/" + name)
		if err != nil {
			panic("webchat: embedded " + name + " missing: " + err.Error()) // a build error, not a runtime one
		}
		return func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", contentType)
			h.Set("Content-Security-Policy", widgetCSP)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cache-Control", "no-cache")
			http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
		}
	}
	mux.HandleFunc("GET /webchat/widget.html", serve("widget.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /webchat/widget.js", serve("widget.js", "text/javascript; charset=utf-8"))
	return mux
}
