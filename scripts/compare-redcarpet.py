#!/usr/bin/env python3
"""Compare a built tech-docs site's pages with Redcarpet's rendering of the
same markdown (tests/redcarpet/render.rb: the gem's extensions and
SmartyPants), as text with its structure, and list the pages that differ
with the first place each differs.

Usage: scripts/compare-redcarpet.py SOURCE_DIR BUILT_SITE_DIR
  e.g. manual -C ../shared/corpus/govuk-manual build --skip-check \
         --config tests/fixtures/govuk-manual.yml --out /tmp/gov
       scripts/compare-redcarpet.py ../shared/corpus/govuk-manual/source /tmp/gov

Needs ruby and ruby-redcarpet (scripts/test installs them). Pages with ERB
are compared as written, before their ERB runs, so they differ by design.
"""
import json,subprocess,re,html,glob,os,sys
src=sys.argv[1]; out_root=sys.argv[2]
pages=[]
for p in sorted(glob.glob(src+'/**/*.html.md',recursive=True)):
    t=open(p).read()
    if t.startswith('---'):
        end=t.index('\n---',3); body=t[end+4:]
    else: body=t
    pages.append((os.path.relpath(p,src)[:-3],body))
res=json.loads(subprocess.run(['ruby','tests/redcarpet/render.rb'],input=json.dumps([b for _,b in pages]),capture_output=True,text=True).stdout)
def canon(h):
    h=re.sub(r'<(/?)(\w+)[^>]*>', lambda m: '' if m.group(2) in ('a','div','span','figure','figcaption','button') else f'<{m.group(1)}{m.group(2)}>', h)
    h=html.unescape(h); h=' '.join(h.split()); h=re.sub(r'>\s+<','><',h)
    h=re.sub(r'<(p|li|h\d|td|th)> ',r'<\1>',h); h=re.sub(r' </(p|li|h\d|td|th)>',r'</\1>',h)
    return h
diff=0
for (rel,body),theirs in zip(pages,res):
    out=out_root+'/'+rel
    if not os.path.exists(out): out=out_root+'/'+rel[:-5]+'/index.html'
    if not os.path.exists(out): print('missing',rel); continue
    page=open(out).read()
    s=page.index('id="content">')+len('id="content">')
    ends=[page.find(m,s) for m in ('<section class="page-alerts"','<nav class="pager"','<div class="page-footer"','</main>')]
    e=min(x for x in ends if x>=0)
    a,b=canon(page[s:e]),canon(theirs)
    if a!=b:
        diff+=1
        i=next((k for k in range(min(len(a),len(b))) if a[k]!=b[k]),min(len(a),len(b)))
        print(rel,'\n  ours:',a[max(0,i-50):i+90],'\n  red: ',b[max(0,i-50):i+90])
print('pages differing',diff,'of',len(pages))
