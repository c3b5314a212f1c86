package wiql

import (
	"errors"
	"testing"
)

func TestLex(t *testing.T) {
	t.Parallel()
	type tok struct {
		kind tokenKind
		text string
		pos  int
	}
	tests := []struct {
		name string
		src  string
		want []tok
	}{
		{"Empty", "", []tok{{tkEOF, "", 0}}},
		{"KeywordsAndBareField", "SELECT System.Id", []tok{{tkIdent, "SELECT", 0}, {tkIdent, "System.Id", 7}, {tkEOF, "", 16}}},
		{"BracketedFieldTrimmed", "[ Work Item Type ]", []tok{{tkField, "Work Item Type", 0}, {tkEOF, "", 18}}},
		{"PrefixedField", "[Source].[System.Id]", []tok{{tkField, "Source", 0}, {tkDot, ".", 8}, {tkField, "System.Id", 9}, {tkEOF, "", 20}}},
		{"SingleQuotedWithEscape", "'it''s'", []tok{{tkString, "it's", 0}, {tkEOF, "", 7}}},
		{"DoubleQuotedWithEscape", `"say ""hi"""`, []tok{{tkString, `say "hi"`, 0}, {tkEOF, "", 12}}},
		{"EmptyString", "''", []tok{{tkString, "", 0}, {tkEOF, "", 2}}},
		{"BackslashKeptInString", `'A\B'`, []tok{{tkString, `A\B`, 0}, {tkEOF, "", 5}}},
		{"Numbers", "12 1.5", []tok{{tkNumber, "12", 0}, {tkNumber, "1.5", 3}, {tkEOF, "", 6}}},
		{"MacroWithOffset", "@today-7", []tok{{tkMacro, "today", 0}, {tkMinus, "-", 6}, {tkNumber, "7", 7}, {tkEOF, "", 8}}},
		{"Operators", "= <> != < <= > >=", []tok{{tkOp, "=", 0}, {tkOp, "<>", 2}, {tkOp, "!=", 5}, {tkOp, "<", 8}, {tkOp, "<=", 10}, {tkOp, ">", 13}, {tkOp, ">=", 15}, {tkEOF, "", 17}}},
		{"Punctuation", "(a,b)", []tok{{tkLParen, "(", 0}, {tkIdent, "a", 1}, {tkComma, ",", 2}, {tkIdent, "b", 3}, {tkRParen, ")", 4}, {tkEOF, "", 5}}},
		{"NewlinesAndTabs", "\tmode\n(", []tok{{tkIdent, "mode", 1}, {tkLParen, "(", 6}, {tkEOF, "", 7}}},
		{"UnicodeIdent", "Größe", []tok{{tkIdent, "Größe", 0}, {tkEOF, "", 7}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := lex(tt.src)
			if err != nil {
				t.Fatalf("lex(%q): %v", tt.src, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("lex(%q) = %d tokens %+v, want %d", tt.src, len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				if got[i].Kind != w.kind || got[i].Text != w.text || got[i].Pos != w.pos {
					t.Errorf("token %d = {%d %q %d}, want {%d %q %d}", i, got[i].Kind, got[i].Text, got[i].Pos, w.kind, w.text, w.pos)
				}
			}
		})
	}
}

func TestLexErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		src   string
		pos   int
		token string
	}{
		{"ErrUnterminatedString", "a = 'abc", 4, "'abc"},
		{"ErrUnterminatedBracket", "[System.Id", 0, "[System.Id"},
		{"ErrUnexpectedCharacter", "a ~ b", 2, "~"},
		{"ErrLoneBang", "a ! b", 2, "!"},
		{"ErrBareAt", "a = @ ", 4, "@"},
		{"ErrNumberGlued", "a = 12abc", 4, "12abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := lex(tt.src)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("lex(%q) error = %v, want *Error", tt.src, err)
			}
			if e.Code != CodeSyntax || e.Pos != tt.pos || e.Token != tt.token {
				t.Errorf("lex(%q) = {%s %d %q}, want {%s %d %q}", tt.src, e.Code, e.Pos, e.Token, CodeSyntax, tt.pos, tt.token)
			}
		})
	}
}
