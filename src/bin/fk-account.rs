//! The personal section's bundle (`account.html`): only its pages and the shared shell.
fn main() {
    leptos::mount::mount_to_body(fk_app::account::AccountApp);
}
