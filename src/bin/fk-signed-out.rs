//! The bundle of the personal section's signed-out pages (`signed-out.html`): signing up, in and
//! back in, and the links of letters; none of the signed-in pages.
fn main() {
    fk_app::takeover::mount_app(fk_app::account::SignedOutApp);
}
