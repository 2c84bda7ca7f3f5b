// The USWDS files are embedded into the binary from web-assets/node_modules. Fail early with
// a message that says what to run when they have not been installed yet.
fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web-assets/node_modules/@uswds/uswds/dist");
    println!("cargo::rerun-if-changed={}", dist.display());
    if !dist.join("css/uswds.min.css").exists() {
        panic!("USWDS assets are missing at {}: run `make assets` (npm ci in web-assets/) first", dist.display());
    }
}
