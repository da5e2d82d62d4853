package api

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var fiberParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// TestOpenAPICoversRoutes fails naming every route missing from the spec
// and every spec operation without a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "GET", "/api/openapi.json", "").want(t, 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.decode(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	inSpec := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			inSpec[strings.ToUpper(method)+" "+path] = true
		}
	}
	inApp := map[string]bool{}
	for _, rt := range e.app.GetRoutes(true) {
		if rt.Method == "HEAD" { // fiber adds HEAD to every GET
			continue
		}
		inApp[rt.Method+" "+fiberParam.ReplaceAllString(rt.Path, "{$1}")] = true
	}
	var missing, extra []string
	for k := range inApp {
		if !inSpec[k] {
			missing = append(missing, k)
		}
	}
	for k := range inSpec {
		if !inApp[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from the OpenAPI document: %s", strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		t.Errorf("OpenAPI operations without a route: %s", strings.Join(extra, ", "))
	}
	if len(inApp) < 19 {
		t.Errorf("only %d routes found: %v", len(inApp), inApp)
	}
}

// TestOpenAPIRefsResolve checks that every $ref names a component.
func TestOpenAPIRefsResolve(t *testing.T) {
	raw, err := openAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	comps := doc["components"].(map[string]any)
	refs := regexp.MustCompile(`"\$ref":"#/components/([a-zA-Z]+)/([A-Za-z_]+)"`).FindAllStringSubmatch(string(raw), -1)
	if len(refs) == 0 {
		t.Fatal("no $refs")
	}
	for _, m := range refs {
		kind, _ := comps[m[1]].(map[string]any)
		if _, ok := kind[m[2]]; !ok {
			t.Errorf("dangling $ref %s/%s", m[1], m[2])
		}
	}
	sec := comps["securitySchemes"].(map[string]any)
	if sec["bearerAuth"] == nil || sec["agentToken"] == nil {
		t.Errorf("security schemes %v", sec)
	}
}
