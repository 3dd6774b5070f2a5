package mailchimp_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/mailmold/mailmold/engine/diag"
	"github.com/mailmold/mailmold/engine/eval"
	"github.com/mailmold/mailmold/engine/mailchimp"
	"github.com/mailmold/mailmold/engine/pongo"
)

func TestMergeTags(t *testing.T) {
	data := map[string]any{"first_name": "Ann", "tier": "gold", "unsubscribe_url": "https://x.example/u", "count": 3}
	tests := []struct{ src, want string }{
		{"Hi *|FNAME|*!", "Hi Ann!"},
		{"*|IF:FNAME|*Hi *|FNAME|**|ELSE:|*Hi there*|END:IF|*", "Hi Ann"},
		{"*|IF:LNAME|*x*|ELSE:|*no last name*|END:IF|*", "no last name"},
		{"*|IF:TIER = 'silver'|*S*|ELSEIF:TIER = 'gold'|*G*|ELSE:|*N*|END:IF|*", "G"},
		{"*|IFNOT:LNAME|*missing*|END:IF|*", "missing"},
		{"*|IF:COUNT > 2|*many*|END:IF|*", "many"},
		{`<a href="*|UNSUB|*">u</a>`, `<a href="https://x.example/u">u</a>`},
	}
	for _, tc := range tests {
		tr, err := mailchimp.Parse("t.mc.html", tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		prog, err := pongo.Compile(tr, pongo.Options{Escape: true})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := prog.Render(eval.NewState(context.Background(), data), &b); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("%s: got %q want %q", tc.src, b.String(), tc.want)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		src       string
		line, col int
		msg       string
	}{
		{"a\n *|IF:FNAME|*x", 2, 2, "never closed"},
		{"*|END:IF|*", 1, 1, "without a matching"},
		{"x *|FNAME", 1, 3, "unclosed merge tag"},
		{"*|FOO BAR|*", 1, 1, "unknown merge tag"},
		{"*|IF:FNAME|*a*|ELSE:|*b*|ELSEIF:X|*c*|END:IF|*", 1, 24, "after *|ELSE:|*"},
	} {
		_, err := mailchimp.Parse("t.mc.html", tc.src)
		var de *diag.Error
		if !errors.As(err, &de) || de.Line != tc.line || de.Col != tc.col || !strings.Contains(de.Msg, tc.msg) {
			t.Errorf("%q: got %v, want %d:%d %s", tc.src, err, tc.line, tc.col, tc.msg)
		}
	}
}

func FuzzMailchimp(f *testing.F) {
	if b, err := os.ReadFile("../../templates/winback.mc.html"); err == nil {
		f.Add(string(b))
	}
	f.Add("*|IF:A = 'x'|**|ELSEIF:B|**|ELSE:|**|END:IF|**|FNAME|*")
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := mailchimp.Parse("f.mc.html", s); err != nil {
			var de *diag.Error
			if !errors.As(err, &de) || de.Line < 1 {
				t.Fatalf("error without position: %v", err)
			}
		}
	})
}
