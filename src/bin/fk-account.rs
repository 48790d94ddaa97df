//! The personal section's bundle (`account.html`): only its pages and the shared shell.
fn main() {
    fk_app::takeover::mount_app(fk_app::account::AccountApp);
}
