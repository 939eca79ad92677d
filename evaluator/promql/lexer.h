/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PromQL tokenizer, driven one token at a time by the parser, which switches it into the
 * modes Prometheus's lexer has (inside {...}, inside [...]).
 */
#ifndef TOCSIN_EVALUATOR_PROMQL_LEXER_H
#define TOCSIN_EVALUATOR_PROMQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>

enum promql_tok {
    PROMQL_TOK_EOF = 0,
    PROMQL_TOK_ERROR, /* lexer error; message in the lexer */
    PROMQL_TOK_IDENT, /* identifier; `metric` flag set when it holds a ':' */
    PROMQL_TOK_NUMBER,
    PROMQL_TOK_DURATION,
    PROMQL_TOK_STRING, /* text still quoted */
    PROMQL_TOK_LPAREN,
    PROMQL_TOK_RPAREN,
    PROMQL_TOK_LBRACE,
    PROMQL_TOK_RBRACE,
    PROMQL_TOK_LBRACKET,
    PROMQL_TOK_RBRACKET,
    PROMQL_TOK_COMMA,
    PROMQL_TOK_COLON,
    PROMQL_TOK_AT,
    PROMQL_TOK_EQL,       /* = */
    PROMQL_TOK_EQL_REGEX, /* =~ */
    PROMQL_TOK_NEQ_REGEX, /* !~ */
    /* operators */
    PROMQL_TOK_ADD,
    PROMQL_TOK_SUB,
    PROMQL_TOK_MUL,
    PROMQL_TOK_DIV,
    PROMQL_TOK_MOD,
    PROMQL_TOK_POW,
    PROMQL_TOK_EQLC, /* == */
    PROMQL_TOK_NEQ,  /* != */
    PROMQL_TOK_LSS,
    PROMQL_TOK_GTR,
    PROMQL_TOK_LTE,
    PROMQL_TOK_GTE,
    PROMQL_TOK_TRIM_UPPER, /* </ */
    PROMQL_TOK_TRIM_LOWER, /* >/ */
    PROMQL_TOK_LAND,
    PROMQL_TOK_LOR,
    PROMQL_TOK_LUNLESS,
    PROMQL_TOK_ATAN2,
    /* aggregators (agg holds which) */
    PROMQL_TOK_AGGREGATOR,
    /* keywords */
    PROMQL_TOK_OFFSET,
    PROMQL_TOK_BY,
    PROMQL_TOK_WITHOUT,
    PROMQL_TOK_ON,
    PROMQL_TOK_IGNORING,
    PROMQL_TOK_GROUP_LEFT,
    PROMQL_TOK_GROUP_RIGHT,
    PROMQL_TOK_BOOL,
    PROMQL_TOK_ANCHORED,
    PROMQL_TOK_SMOOTHED,
    PROMQL_TOK_FILL, /* only when followed by '(' */
    PROMQL_TOK_FILL_LEFT,
    PROMQL_TOK_FILL_RIGHT,
};

struct promql_token {
    enum promql_tok type;
    size_t start, end; /* byte offsets of the token text */
    int agg;           /* enum promql_aggop for PROMQL_TOK_AGGREGATOR */
    bool metric;       /* IDENT containing ':' (Prometheus's METRIC_IDENTIFIER) */
};

enum promql_lex_mode {
    PROMQL_LEX_NORMAL = 0,
    PROMQL_LEX_BRACES,  /* inside {...}: keywords are identifiers, '=' '!=' '=~' '!~' */
    PROMQL_LEX_BRACKET, /* inside [...]: ':' is a token, identifiers have no ':' */
};

struct promql_lexer {
    const char *in;
    size_t len;
    size_t pos;
    char errmsg[256]; /* set with PROMQL_TOK_ERROR */
    size_t errpos;    /* where the error token starts */
    int paren_depth;  /* open '(' so far, for "unclosed left parenthesis" */
    bool failed;      /* an error token was returned; every later token is that error */
    bool bracket_num; /* a number was read since the last '[' (Prometheus's lexer state) */
    int colons;       /* ':' read since the last '[' */
};

/* Starts lexing in[0..len) (borrowed; must outlive the lexer). */
void promql_lexer_init(struct promql_lexer *lx, const char *in, size_t len);

/* Reads the next token in the given mode, skipping blanks and comments. */
void promql_lexer_next(struct promql_lexer *lx, enum promql_lex_mode mode, struct promql_token *t);

/* Describes a token as Prometheus does in "unexpected ..." messages: `identifier "foo"`,
 * `number "1"`, `"("`, `<op:+>`, `<aggr:sum>`, `<by>`, `end of input`. Writes into out (size n). */
const char *promql_token_desc(const struct promql_lexer *lx, const struct promql_token *t,
                              char *out, size_t n);

#endif
