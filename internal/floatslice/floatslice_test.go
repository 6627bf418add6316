package floatslice

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// named is a float type of its own, as tensor.Float allows.
type named float32

func TestViewsShareMemory(t *testing.T) {
	a := []named{1, 2, 3}
	v := As32(a)
	if len(v) != 3 || cap(v) != 3 || v[2] != 3 {
		t.Fatalf("As32 = %v (len %d, cap %d), want [1 2 3]", v, len(v), cap(v))
	}
	v[1] = 5
	if a[1] != 5 {
		t.Fatalf("a write through As32 is not in the slice: %v", a)
	}
	b := []float64{0.5, -2}
	w := As64(b[1:])
	w[0] = 7
	if len(w) != 1 || b[1] != 7 {
		t.Fatalf("As64 of a subslice: %v, slice %v", w, b)
	}
	if len(As32([]float32(nil))) != 0 || len(As64([]float64{})) != 0 {
		t.Fatal("an empty slice's view is not empty")
	}
}

// TestOneDeclaration keeps the module to one Float constraint (pkg/tensor's;
// others alias it) and one pair of slice views (this package's): a second
// copy drifts (gemm's Float was once narrower than tensor's).
func TestOneDeclaration(t *testing.T) {
	var floats, views []string
	fset := token.NewFileSet()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok || ts.Assign.IsValid() {
						continue // not a type, or an alias
					}
					if _, ok := ts.Type.(*ast.InterfaceType); ok && strings.Contains(ts.Name.Name, "Float") {
						floats = append(floats, rel+": "+ts.Name.Name)
					}
				}
			case *ast.FuncDecl:
				if decl.Body != nil && slicesFloats(decl.Body) {
					views = append(views, rel+": "+decl.Name.Name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(floats) != 1 || floats[0] != filepath.Join("pkg", "tensor", "matrix.go")+": Float" {
		t.Errorf("Float constraints declared: %q, want only pkg/tensor's (alias it elsewhere)", floats)
	}
	want := filepath.Join("internal", "floatslice", "floatslice.go")
	if len(views) != 2 || views[0] != want+": As32" || views[1] != want+": As64" {
		t.Errorf("functions viewing a slice as []float32 or []float64 with unsafe.Slice: %q, want this package's As32 and As64", views)
	}
}

// slicesFloats reports whether body calls unsafe.Slice((*float32)(…), …)
// or the float64 one.
func slicesFloats(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Slice" || !isIdent(sel.X, "unsafe") {
			return true
		}
		if conv, ok := call.Args[0].(*ast.CallExpr); ok {
			if paren, ok := conv.Fun.(*ast.ParenExpr); ok {
				if star, ok := paren.X.(*ast.StarExpr); ok && (isIdent(star.X, "float32") || isIdent(star.X, "float64")) {
					found = true
				}
			}
		}
		return true
	})
	return found
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}
