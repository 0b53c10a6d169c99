"""Pillow: draw an image, filters, transforms, colour modes, fonts, save PNG/JPEG/GIF,
read back and compare."""

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps, ImageStat

img = Image.new("RGB", (120, 80), "white")
draw = ImageDraw.Draw(img)
draw.rectangle((10, 10, 60, 50), fill=(200, 30, 30), outline="black")
draw.ellipse((50, 20, 110, 70), fill=(30, 30, 200))
draw.line((0, 79, 119, 0), fill="green", width=3)
draw.text((12, 60), "stacks", fill="black", font=ImageFont.load_default())
img.save("drawing.png")
blurred = img.filter(ImageFilter.GaussianBlur(2))
blurred.save("blurred.png")
small = ImageOps.grayscale(img.resize((30, 20), Image.Resampling.LANCZOS))
small.save("small.png")
img.convert("P", palette=Image.Palette.ADAPTIVE, colors=8).save("drawing.gif")
img.save("drawing.jpg", quality=80)
back = Image.open("drawing.png")
print(back.format, back.size, back.mode, ImageChops.difference(back, img).getbbox())
print("colors:", sorted(img.getcolors(maxcolors=10000), reverse=True)[:3])
print("stat:", [round(v, 3) for v in ImageStat.Stat(blurred).mean])
print("histogram sum:", sum(small.histogram()), small.getpixel((15, 10)))
print("rotated:", img.rotate(45, expand=True).size, img.transpose(Image.Transpose.FLIP_LEFT_RIGHT).getpixel((5, 5)))
print("jpeg:", Image.open("drawing.jpg").size, Image.open("drawing.gif").mode)
