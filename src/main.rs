fn main() {
    fk_app::dom::mount_app(fk_app::app::App);
}
