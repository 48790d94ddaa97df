fn main() {
    leptos::mount::mount_to_body(fk_app::app::App);
}
