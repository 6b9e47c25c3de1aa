//! RFC 1035 §5.1 tokenizer: splits a zone file into entries (one record or directive each) of
//! tokens with their positions.
//!
//! An entry ends at a newline outside parentheses. `;` starts a comment outside quoted strings;
//! `"` opens a quoted string that must close on the same line; `\` escapes the next character
//! (`\DDD` is kept as written for the record-data rules to judge). Tokens keep their escapes as
//! written, because stored record data is the presentation text, not its decoded bytes.

use super::error::{ZoneFileError, ZoneFileErrorKind};

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    /// The text as written, escapes kept, without the surrounding quotes of a quoted string.
    pub(super) text: String,
    /// Whether the token was a quoted string.
    pub(super) quoted: bool,
    /// 1-based line.
    pub(super) line: usize,
    /// 1-based column of the token's first character (the opening quote, if quoted).
    pub(super) column: usize,
}

impl Token {
    /// The token as it appears in presentation data: quoted strings get their quotes back.
    pub(super) fn presentation(&self) -> String {
        if self.quoted {
            format!("\"{}\"", self.text)
        } else {
            self.text.clone()
        }
    }

    /// An error at this token.
    pub(super) fn error(&self, kind: ZoneFileErrorKind) -> ZoneFileError {
        ZoneFileError::new(self.line, self.column, kind)
    }
}

/// One logical line: a record or a directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// Whether the physical line began with whitespace, meaning "same owner as before".
    pub(super) leading_blank: bool,
    /// The tokens, at least one.
    pub(super) tokens: Vec<Token>,
}

/// Cursor over the text, tracking line and column.
pub(super) struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    column: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            chars: text.chars().peekable(),
            line: 1,
            column: 1,
        }
    }

    /// Where the next character is (the end of the file once all are read).
    pub(super) fn position(&self) -> (usize, usize) {
        (self.line, self.column)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn error(&self, kind: ZoneFileErrorKind) -> ZoneFileError {
        ZoneFileError::new(self.line, self.column, kind)
    }

    /// The next non-empty entry, or `None` at the end of the file.
    ///
    /// # Errors
    /// Unbalanced parentheses, a quoted string not closed on its line, a dangling backslash.
    pub(super) fn next_entry(&mut self) -> Result<Option<Entry>, ZoneFileError> {
        loop {
            let leading_blank = matches!(self.chars.peek(), Some(' ' | '\t'));
            let mut tokens = Vec::new();
            // Position of the outermost open parenthesis, for the error if it never closes.
            let mut open: Option<(usize, usize)> = None;
            let mut depth = 0usize;
            let ended = loop {
                let Some(&c) = self.chars.peek() else {
                    break true;
                };
                match c {
                    '\n' => {
                        self.bump();
                        if depth == 0 {
                            break false;
                        }
                    }
                    ' ' | '\t' | '\r' => {
                        self.bump();
                    }
                    ';' => {
                        while self.chars.peek().is_some_and(|&c| c != '\n') {
                            self.bump();
                        }
                    }
                    '(' => {
                        if depth == 0 {
                            open = Some(self.position());
                        }
                        depth += 1;
                        self.bump();
                    }
                    ')' => {
                        if depth == 0 {
                            return Err(self.error(ZoneFileErrorKind::Syntax(
                                "')' without a matching '('".to_owned(),
                            )));
                        }
                        depth -= 1;
                        self.bump();
                    }
                    '"' => tokens.push(self.quoted()?),
                    _ => tokens.push(self.word()?),
                }
            };
            if depth > 0 {
                let (line, column) = open.unwrap_or_else(|| self.position());
                return Err(ZoneFileError::new(
                    line,
                    column,
                    ZoneFileErrorKind::Syntax("'(' is never closed".to_owned()),
                ));
            }
            if !tokens.is_empty() {
                return Ok(Some(Entry {
                    leading_blank,
                    tokens,
                }));
            }
            if ended {
                return Ok(None);
            }
        }
    }

    /// A quoted string; the cursor is on the opening quote.
    fn quoted(&mut self) -> Result<Token, ZoneFileError> {
        let (line, column) = self.position();
        self.bump();
        let mut text = String::new();
        loop {
            match self.chars.peek().copied() {
                None | Some('\n') => {
                    return Err(ZoneFileError::new(
                        line,
                        column,
                        ZoneFileErrorKind::Syntax("quoted string is not closed on its line".into()),
                    ))
                }
                Some('"') => {
                    self.bump();
                    break;
                }
                Some('\\') => self.escape(&mut text)?,
                Some(c) => {
                    self.bump();
                    text.push(c);
                }
            }
        }
        Ok(Token {
            text,
            quoted: true,
            line,
            column,
        })
    }

    /// An unquoted word; ends at whitespace, a delimiter or a comment.
    fn word(&mut self) -> Result<Token, ZoneFileError> {
        let (line, column) = self.position();
        let mut text = String::new();
        while let Some(c) = self.chars.peek().copied() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '(' | ')' | '"' => break,
                '\\' => self.escape(&mut text)?,
                _ => {
                    self.bump();
                    text.push(c);
                }
            }
        }
        Ok(Token {
            text,
            quoted: false,
            line,
            column,
        })
    }

    /// A backslash and the character it escapes, both kept; the cursor is on the backslash.
    fn escape(&mut self, text: &mut String) -> Result<(), ZoneFileError> {
        let at = self.error(ZoneFileErrorKind::Syntax(
            "a backslash must be followed by a character on the same line".to_owned(),
        ));
        self.bump();
        match self.chars.peek().copied() {
            None | Some('\n') => Err(at),
            Some(c) => {
                self.bump();
                text.push('\\');
                text.push(c);
                Ok(())
            }
        }
    }
}
