fn main() {
    fk_app::takeover::mount_app(fk_app::app::App);
}
