//! What every account form keeps beside its values: which fields the user has left, whether a
//! submit was tried, and what the server last refused. A field shows its rule's answer once it
//! was left or a submit was tried; the server's answer about a field wins over the rule's until
//! a value changes; an answer that names no control of the form is said above the submit
//! button. `FormState` is that logic; `Form` is it in a signal, for the components.
use fk_api::{ApiError, ErrorCode};
use leptos::prelude::*;

use crate::dom::focus_id;

/// A control of a form: the field's name as the API gives it (`ApiError::field`), and the id
/// of the element that edits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Control {
    pub field: &'static str,
    pub id: &'static str,
}

impl Control {
    pub const fn new(field: &'static str, id: &'static str) -> Control {
        Control { field, id }
    }

    /// A control whose id is the field's name.
    pub const fn named(field: &'static str) -> Control {
        Control { field, id: field }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormState {
    controls: Vec<Control>,
    touched: Vec<&'static str>,
    submitted: bool,
    server_error: Option<ApiError>,
}

impl FormState {
    pub fn new(controls: impl IntoIterator<Item = Control>) -> FormState {
        FormState {
            controls: controls.into_iter().collect(),
            ..FormState::default()
        }
    }

    /// The id of the control that edits `field`, if the form has one.
    pub fn id_of(&self, field: &str) -> Option<&'static str> {
        self.controls
            .iter()
            .find(|c| c.field == field)
            .map(|c| c.id)
    }

    /// `field` was left. Whether that changed anything.
    pub fn touch(&mut self, field: &'static str) -> bool {
        let new = !self.touched.contains(&field);
        if new {
            self.touched.push(field);
        }
        new
    }

    /// A submit is tried: every rule's answer shows from now on, and the server's last answer
    /// belongs to the previous attempt.
    pub fn submit(&mut self) {
        self.submitted = true;
        self.server_error = None;
    }

    /// Whether the rule's answer about `field` shows: once it was left, or a submit was tried.
    pub fn shows_rule(&self, field: &'static str) -> bool {
        self.submitted || self.touched.contains(&field)
    }

    /// What shows under `field`: the server's answer about it, else the rule's (`check`, only
    /// asked when it shows).
    pub fn field_error(
        &self,
        field: &'static str,
        check: impl FnOnce() -> Option<ApiError>,
    ) -> Option<ApiError> {
        match &self.server_error {
            Some(e) if e.field.as_deref() == Some(field) => Some(e.clone()),
            _ if self.shows_rule(field) => check(),
            _ => None,
        }
    }

    /// The server's answer when no control of the form shows it: for the whole form.
    pub fn alert(&self) -> Option<&ApiError> {
        self.server_error
            .as_ref()
            .filter(|e| !self.names_control(e))
    }

    fn names_control(&self, error: &ApiError) -> bool {
        error
            .field
            .as_deref()
            .is_some_and(|f| self.id_of(f).is_some())
    }

    /// The server refused: its answer shows. The id of the control it names, for the focus.
    pub fn refused(&mut self, error: ApiError) -> Option<&'static str> {
        let id = error.field.as_deref().and_then(|f| self.id_of(f));
        self.server_error = Some(error);
        id
    }

    /// A value changed: the server's answer about a control of the form no longer holds (one
    /// about something else, the link the form came from, still does). Whether anything changed.
    pub fn value_changed(&mut self) -> bool {
        let moot = self
            .server_error
            .as_ref()
            .is_some_and(|e| self.names_control(e));
        if moot {
            self.server_error = None;
        }
        moot
    }

    /// What the server last refused.
    pub fn server_error(&self) -> Option<&ApiError> {
        self.server_error.as_ref()
    }

    pub fn clear_server_error(&mut self) {
        self.server_error = None;
    }

    /// Saved: the form starts again, with nothing left, tried or refused.
    pub fn saved(&mut self) {
        self.touched.clear();
        self.submitted = false;
        self.server_error = None;
    }
}

/// A form's `FormState` in a signal: the error signals its fields show, and the steps of a
/// submit, with the focus moved where the user has something to fix.
#[derive(Clone, Copy)]
pub struct Form {
    state: RwSignal<FormState>,
}

impl Form {
    pub fn new(controls: impl IntoIterator<Item = Control>) -> Form {
        Form {
            state: RwSignal::new(FormState::new(controls)),
        }
    }

    /// For a field's `on_blur`.
    pub fn touch(self, field: &'static str) {
        self.state.maybe_update(|s| s.touch(field));
    }

    /// The error under `field`; `check` is its rule, on the form's current values.
    pub fn error(
        self,
        field: &'static str,
        check: impl Fn() -> Option<ApiError> + Send + Sync + 'static,
    ) -> Signal<Option<ApiError>> {
        let state = self.state;
        Signal::derive(move || state.with(|s| s.field_error(field, &check)))
    }

    /// What the server said about the whole form (`FormAlert`).
    pub fn alert(self) -> Signal<Option<ApiError>> {
        self.alert_also(|_| false)
    }

    /// `alert`, and also the answers `also` picks even though a control shows them.
    pub fn alert_also(self, also: fn(&ApiError) -> bool) -> Signal<Option<ApiError>> {
        let state = self.state;
        Signal::derive(move || {
            state.with(|s| s.alert().or(s.server_error().filter(|e| also(e))).cloned())
        })
    }

    /// The code of what the server last refused.
    pub fn refusal(self) -> Option<ErrorCode> {
        self.state.with(|s| s.server_error().map(|e| e.code))
    }

    /// A submit is tried (before its values are checked).
    pub fn submit(self) {
        self.state.update(FormState::submit);
    }

    /// The first of the rules' answers (in the form's order) stops the submit: focus goes to
    /// its control. Whether the form may be sent.
    pub fn passes(self, errors: &[ApiError]) -> bool {
        match errors.first() {
            Some(first) => {
                if let Some(id) = first
                    .field
                    .as_deref()
                    .and_then(|f| self.state.with_untracked(|s| s.id_of(f)))
                {
                    focus_id(id);
                }
                false
            }
            None => true,
        }
    }

    /// The server refused: its answer shows, and the focus goes to the control it names.
    pub fn refused(self, error: ApiError) {
        if let Some(id) = self.state.try_update(|s| s.refused(error)).flatten() {
            focus_id(id);
        }
    }

    pub fn clear_server_error(self) {
        self.state.update(FormState::clear_server_error);
    }

    pub fn saved(self) {
        self.state.update(FormState::saved);
    }

    /// Clears the server's answer about a control whenever a value `values` reads changes.
    pub fn clear_on_change(self, values: impl Fn() + 'static) {
        let state = self.state;
        Effect::new(move |previous: Option<()>| {
            values();
            if previous.is_some() {
                state.maybe_update(FormState::value_changed);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn form() -> FormState {
        FormState::new([
            Control::new("email", "email-new"),
            Control::named("password"),
        ])
    }

    fn refusal(code: ErrorCode, field: Option<&str>) -> ApiError {
        let e = ApiError::new(code, "refused");
        match field {
            Some(f) => e.with_field(f),
            None => e,
        }
    }

    fn rule() -> Option<ApiError> {
        Some(refusal(ErrorCode::EmailInvalid, Some("email")))
    }

    #[wasm_bindgen_test]
    fn a_rule_shows_once_its_field_was_left_or_a_submit_tried() {
        let mut s = form();
        assert_eq!(s.field_error("email", rule), None);
        assert!(s.touch("email"));
        assert!(!s.touch("email"), "a second blur changes nothing");
        assert_eq!(s.field_error("email", rule), rule());
        assert_eq!(s.field_error("password", rule), None);
        s.submit();
        assert_eq!(s.field_error("password", rule), rule());
    }

    #[wasm_bindgen_test]
    fn the_servers_answer_about_a_field_wins_until_a_value_changes() {
        let mut s = form();
        let taken = refusal(ErrorCode::EmailTaken, Some("email"));
        assert_eq!(s.refused(taken.clone()), Some("email-new"));
        assert_eq!(s.field_error("email", || None), Some(taken));
        assert_eq!(s.field_error("password", || None), None);
        assert_eq!(s.alert(), None, "its control shows it");
        assert!(s.value_changed());
        assert_eq!(s.field_error("email", || None), None);
        assert!(!s.value_changed());
    }

    #[wasm_bindgen_test]
    fn an_answer_no_control_shows_is_the_forms_and_outlives_a_change() {
        let mut s = form();
        let throttled = refusal(ErrorCode::TooManyRequests, None);
        assert_eq!(s.refused(throttled.clone()), None);
        assert_eq!(s.alert(), Some(&throttled));
        assert!(!s.value_changed());
        let dead_link = refusal(ErrorCode::LinkInvalid, Some("token"));
        assert_eq!(s.refused(dead_link.clone()), None);
        assert_eq!(s.alert(), Some(&dead_link));
        assert_eq!(s.field_error("password", || None), None);
        assert!(!s.value_changed());
        assert_eq!(s.server_error(), Some(&dead_link));
    }

    #[wasm_bindgen_test]
    fn a_submit_forgets_the_last_answer_and_a_save_starts_again() {
        let mut s = form();
        s.refused(refusal(ErrorCode::InvalidCredentials, Some("password")));
        s.touch("email");
        s.submit();
        assert_eq!(s.server_error(), None);
        assert!(s.shows_rule("password"));
        s.saved();
        assert!(!s.shows_rule("email") && !s.shows_rule("password"));
        assert_eq!(s, form());
    }
}
