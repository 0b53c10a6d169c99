# httpie: build requests offline (no network): JSON and form bodies, headers, auth,
# query parameters, pretty-printed with colours (Pygments) and without.  --ignore-stdin:
# stdin is not a terminal here, and httpie would read it as the request body.
set -e
http --version
http --ignore-stdin --offline --print=HB POST example.test/api/items name=pen price:=1.5 tags:='["a","b"]' X-Trace:abc
http --ignore-stdin --offline --form --print=HBhb PUT example.test/upload field=value "q==a b"
http --ignore-stdin --offline --pretty=all --style=monokai --print=HB -a user:pw GET example.test/private x-y:z
http --ignore-stdin --offline --pretty=format --print=B POST example.test/ nested[a][b]=1 nested[list][]=2
http --ignore-stdin --offline example.test/missing-scheme-ok || echo "http exit $?"
https --ignore-stdin --offline --print=H GET example.test:8443/secure
