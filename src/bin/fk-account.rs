//! The bundle of the personal section's signed-in pages (`account.html`).
fn main() {
    fk_app::takeover::mount_app(fk_app::account::AccountApp);
}
