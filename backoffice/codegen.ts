// GraphQL Code Generator: the storefront's configuration, as is (its comments say what it does).
// Its paths are relative to the app that runs it, so here they name the back office's src/ and
// write backoffice/src/gql. Run: `npm run codegen` (`make backoffice-codegen`).
export { default } from '../storefront/codegen';
