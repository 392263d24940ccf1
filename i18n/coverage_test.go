package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// sources are the packages whose texts reach people, and so go through
// the catalog.
var sources = []string{"..", "../bot", "../cmd/followup", "../actions", "../store", "../window", "../csvimport", "../workflows", "../activities", "../cadences"}

// russian is every key of the catalog.
var russian = func() map[string]bool {
	m := map[string]bool{}
	for _, table := range tables {
		for _, t := range table {
			m[t.en] = true
		}
	}
	for _, table := range counts {
		for _, c := range table {
			m[c.key] = true
		}
	}
	return m
}()

// machineFiles answer machines, not people: the errors of Slack's request
// signatures (an HTTP status for Slack's servers).
var machineFiles = map[string]bool{"../bot/verify.go": true}

// keyTables are composite literals whose string values are keys the code
// looks up by value (file, variable).
var keyTables = map[string]string{"../workflows/api.go": "reasons"}

// TestEveryKeyIsInTheCatalog: every text the code gives a Printer (or
// makes a message of, or an error with followup.Errorf) is in the
// catalog, so that a Russian reader never meets a sentence someone forgot
// to translate. Keys are found in the source: literals, and constants
// made of literals.
func TestEveryKeyIsInTheCatalog(t *testing.T) {
	t.Parallel()
	used := usedKeys(t)
	if len(used) < 100 {
		t.Fatalf("found only %d keys in the source; is the scan broken?", len(used))
	}
	var missing []string
	for key, where := range used {
		if _, ok := russian[key]; !ok && !onlyFormat(key) {
			missing = append(missing, where+": "+strconv.Quote(key))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d texts are not in the catalog:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

// usedKeys scans sources for the keys the code uses, each with where.
func usedKeys(t *testing.T) map[string]string {
	fset := token.NewFileSet()
	type file struct {
		pkg  string
		path string
		f    *ast.File
	}
	var files []file
	consts := map[string]ast.Expr{} // "pkg.Name" -> value
	for _, dir := range sources {
		if _, err := os.Stat(dir); err != nil {
			t.Fatal(err) // a package moved: scan it where it is now
		}
		paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			if strings.HasSuffix(path, "_test.go") || machineFiles[path] {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			pkg := f.Name.Name
			files = append(files, file{pkg, path, f})
			for _, d := range f.Decls {
				if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
					for _, spec := range g.Specs {
						vs := spec.(*ast.ValueSpec)
						for i, name := range vs.Names {
							if i < len(vs.Values) {
								consts[pkg+"."+name.Name] = vs.Values[i]
							}
						}
					}
				}
			}
		}
	}
	var eval func(pkg string, e ast.Expr) (string, bool)
	eval = func(pkg string, e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case *ast.Ident:
			if v, ok := consts[pkg+"."+e.Name]; ok {
				return eval(pkg, v)
			}
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok {
				if v, ok := consts[x.Name+"."+e.Sel.Name]; ok {
					return eval(x.Name, v)
				}
			}
		case *ast.BinaryExpr:
			if e.Op == token.ADD {
				l, ok1 := eval(pkg, e.X)
				r, ok2 := eval(pkg, e.Y)
				return l + r, ok1 && ok2
			}
		case *ast.ParenExpr:
			return eval(pkg, e.X)
		}
		return "", false
	}
	used := map[string]string{}
	add := func(pkg string, e ast.Expr) {
		if s, ok := eval(pkg, e); ok {
			if _, seen := used[s]; !seen {
				used[s] = fset.Position(e.Pos()).String()
			}
		}
	}
	for _, f := range files {
		ast.Inspect(f.f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if key, ok := keyArg(n); ok {
					add(f.pkg, key)
				}
			case *ast.CompositeLit:
				// &followup.Error{Message: "…"}, and the table of commands.
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Message" || k.Name == "note" || k.Name == "summary") {
						add(f.pkg, kv.Value)
					}
				}
			case *ast.ValueSpec:
				if len(n.Names) == 1 && keyTables[f.path] == n.Names[0].Name && len(n.Values) == 1 {
					if cl, ok := n.Values[0].(*ast.CompositeLit); ok {
						for _, el := range cl.Elts {
							add(f.pkg, el.(*ast.KeyValueExpr).Value)
						}
					}
				}
			case *ast.FuncDecl:
				// The window's labels, and the escalations' triggers in words.
				if (f.pkg == "window" && n.Name.Name == "Label") || (f.pkg == "followup" && n.Name.Name == "Words") {
					ast.Inspect(n.Body, func(n ast.Node) bool {
						if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
							add(f.pkg, r.Results[0])
						}
						return true
					})
				}
			case *ast.GenDecl:
				// The window's refusals.
				if f.pkg == "window" && n.Tok == token.CONST {
					for _, spec := range n.Specs {
						vs := spec.(*ast.ValueSpec)
						for i, name := range vs.Names {
							if strings.HasPrefix(name.Name, "msg") && i < len(vs.Values) {
								add(f.pkg, vs.Values[i])
							}
						}
					}
				}
			}
			return true
		})
	}
	return used
}

// keyArg is the argument of call that is a key, if call takes one: the
// format of a Printer's Sprintf (a Printer is named p, or is a field p),
// (and Fprintf's), the text of its Text, of i18n.Msg and i18n.Text, the format of
// followup.Errorf, the format of the bot's invalid (a parse error), and
// the format of a followup.Phrase (Say) and the text of a Term.
func keyArg(call *ast.CallExpr) (ast.Expr, bool) {
	var recv, name string
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		name = fn.Name
	case *ast.SelectorExpr:
		name = fn.Sel.Name
		switch x := fn.X.(type) {
		case *ast.Ident:
			recv = x.Name
		case *ast.SelectorExpr:
			recv = x.Sel.Name
		}
	}
	arg := -1
	switch {
	case recv == "p" && (name == "Sprintf" || name == "Text"):
		arg = 0
	case recv == "p" && name == "Fprintf":
		arg = 1
	case recv == "i18n" && (name == "Msg" || name == "Text"):
		arg = 0
	case (recv == "followup" || recv == "") && name == "Errorf":
		arg = 1
	case (recv == "followup" || recv == "") && name == "Wrapf":
		arg = 2
	case recv == "" && (name == "invalid" || name == "configErr"):
		arg = 1
	case ((recv == "followup" || recv == "") && (name == "Say" || name == "Term")) || (recv == "" && name == "say"):
		// A phrase's format, and a term the catalog must know.
		arg = 0
	}
	if arg < 0 || arg >= len(call.Args) {
		return nil, false
	}
	return call.Args[arg], true
}
